/**
 * The one place where this code talks to Synerise's JS SDK (`window.SR`).
 *
 * Everything else (the hook, the form, the demo) calls these functions, so when Synerise renames
 * a method or swaps two arguments the fix is one line in this file.
 *
 * What each call relies on, and where Synerise's own documents disagree:
 *
 * - `SR.client.hashIdentity(email)`: returns the SDK's hash of an identifier, comparable with
 *   `getIdentityHash()`. The "Event authorization in JS SDK with Flask" guide uses its return value
 *   directly (synchronously); we also accept a Promise, so an asynchronous version costs nothing.
 * - `SR.client.getIdentityHash()`: the hash of the identity the tracker currently carries, or
 *   nothing for an anonymous visitor. Same remark about synchronous/asynchronous.
 * - `SR.client.setUuidAndIdentityHash(uuid, identityHash)`: replaces the tracker's uuid and
 *   identity. The guide spells it `setUuidAndidentityHash` (lower-case "i") and passes the
 *   arguments the other way round, `(hashedEmail, uuid)`; the method's own name, and this
 *   project's contract, put the uuid first. We follow the name. The customer-identification pages
 *   document a different call for the uuid alone, `SR.client.setUuid(uuid)`.
 * - `SR.client.setAccessToken(jwt)`: hands the RS256 token to the tracker, which then sends it
 *   with events. Synerise's "Web SDK methods reference" (developers/web/methods-reference, section
 *   "Authentication by JSON Web Token") documents it as "Set JWT", taking the token as a string;
 *   its JWT page (which asks for RS256 and a `{exp, uuid, email}` payload) shows no browser code.
 * - `SR.jwt.getAccessToken()`: the same methods reference, "Retrieve current JWT": the token the
 *   tracker holds, `null` when none is set. Where the tracker has it, `authenticate()` reuses a
 *   held token only while the tracker still holds that very token. Older trackers lack it: then
 *   the token this code handed over is trusted, as before.
 * - Clearing the token: the methods reference, "Clear JWT": "To log out a user, clear the token",
 *   `SR.jwt.clearAccessToken()`. A third-party driver's typings (trackify's Synerise browser
 *   driver) name `SR.client.clearAccessToken()` instead, with no Synerise page behind it. We call
 *   the documented one when the tracker has it, that one otherwise, and where the tracker has
 *   neither we pass `null` to `setAccessToken` (the stand-in treats that as "no token"; a tracker
 *   that keeps its token only for the page's lifetime also drops it on the next load).
 * - `_snrs_reset_uuid` (developers/web/uuids and developers/web/user-identification): a cookie
 *   the tracker reads on start-up, takes the uuid from and deletes. Synerise's Magento
 *   integration sets `_snrs_reset_uuid_and_identity_hash` (`uuid:identityHash`, not HttpOnly, path
 *   `/`) the same way at sign-in; the service sets it when `identity_cookie` is on.
 * - `SR.event.pageVisit()`, `SR.event.trackCustomEvent(action, params, label)` and
 *   `SR.event.sendFormData(label, params)`: the event-tracking pages. Synerise's tracker returns
 *   nothing useful; the local stand-in returns the gate's verdict as a Promise, which is why their
 *   results are typed `unknown` here and narrowed by the caller.
 */

/** The part of `SR.client` this code relies on. */
export interface SyneriseClient {
  hashIdentity(identity: string): string | Promise<string>;
  getIdentityHash(): string | null | undefined | Promise<string | null | undefined>;
  setUuidAndIdentityHash(uuid: string, identityHash: string): void;
  setAccessToken(token: string | null): void;
  /** Not documented by Synerise; named by a third-party driver's typings. */
  clearAccessToken?(): void;
}

/** `SR.jwt`, in the methods reference: read and clear the token. Older trackers lack it. */
export interface SyneriseJwt {
  getAccessToken?(): string | null | undefined;
  clearAccessToken?(): void;
}

/** The part of `SR.event` the demo uses. */
export interface SyneriseEvents {
  pageVisit(): unknown;
  trackCustomEvent(action: string, params: Record<string, unknown>, label: string): unknown;
  sendFormData(label: string, params: Record<string, unknown>): unknown;
}

/** `window.SR` as far as this code is concerned. */
export interface SyneriseSdk {
  client: SyneriseClient;
  jwt?: SyneriseJwt;
  event?: SyneriseEvents;
}

declare global {
  interface Window {
    SR?: SyneriseSdk;
  }
}

/** The SDK did not load in time, or loaded without the methods listed above. */
export class SdkUnavailableError extends Error {
  override readonly name = 'SdkUnavailableError';
}

const CLIENT_METHODS = [
  'hashIdentity',
  'getIdentityHash',
  'setUuidAndIdentityHash',
  'setAccessToken',
] as const;

/** The SDK on this page, if it has loaded with every client method we call. */
export function currentSdk(): SyneriseSdk | null {
  const sr: unknown = typeof window === 'undefined' ? undefined : window.SR;
  if (typeof sr !== 'object' || sr === null) return null;
  const client: unknown = (sr as { client?: unknown }).client;
  if (typeof client !== 'object' || client === null) return null;
  const complete = CLIENT_METHODS.every(
    (name) => typeof (client as Record<string, unknown>)[name] === 'function',
  );
  return complete ? (sr as SyneriseSdk) : null;
}

/** How long to wait for the tracker script by default. Async scripts load after the page. */
export const DEFAULT_SDK_TIMEOUT_MS = 10_000;
const POLL_MS = 50;

/**
 * Resolves with `window.SR` once the tracker script has defined it, or rejects with
 * {@link SdkUnavailableError} after `timeoutMs`.
 *
 * The tracker is loaded with an `async` script tag, so it may arrive after React has rendered;
 * polling is the only signal every version of the snippet gives.
 */
export function waitForSdk(timeoutMs: number = DEFAULT_SDK_TIMEOUT_MS): Promise<SyneriseSdk> {
  const ready = currentSdk();
  if (ready) return Promise.resolve(ready);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const sdk = currentSdk();
      if (sdk) {
        resolve(sdk);
      } else if (Date.now() - started >= timeoutMs) {
        reject(
          new SdkUnavailableError(
            `The Synerise tracker (window.SR) did not load within ${Math.round(timeoutMs / 1000)} s.`,
          ),
        );
      } else {
        setTimeout(tick, POLL_MS);
      }
    };
    setTimeout(tick, POLL_MS);
  });
}

/** The SDK's hash of an email, comparable with {@link getIdentityHash}. */
export async function hashIdentity(sdk: SyneriseSdk, email: string): Promise<string> {
  return await sdk.client.hashIdentity(email);
}

/** The hash of the identity the tracker carries now, or `null` for an anonymous visitor. */
export async function getIdentityHash(sdk: SyneriseSdk): Promise<string | null> {
  const hash = await sdk.client.getIdentityHash();
  return hash ? hash : null;
}

/** Tells the tracker who the visitor is: the server's uuid for them, and their identity hash. */
export function setUuidAndIdentityHash(sdk: SyneriseSdk, uuid: string, identityHash: string): void {
  sdk.client.setUuidAndIdentityHash(uuid, identityHash);
}

/** Hands a signed token to the tracker; it sends it with every event from now on. */
export function setAccessToken(sdk: SyneriseSdk, jwt: string): void {
  sdk.client.setAccessToken(jwt);
}

/**
 * The token the tracker holds (`SR.jwt.getAccessToken()`): a string, `null` for none, or
 * `undefined` when the tracker cannot say.
 */
export function getAccessToken(sdk: SyneriseSdk): string | null | undefined {
  const jwt = sdk.jwt;
  if (!jwt || typeof jwt.getAccessToken !== 'function') return undefined;
  return jwt.getAccessToken() ?? null;
}

/** Makes the tracker forget its token, so later events go out unauthenticated. */
export function clearAccessToken(sdk: SyneriseSdk): void {
  if (typeof sdk.jwt?.clearAccessToken === 'function') sdk.jwt.clearAccessToken();
  else if (typeof sdk.client.clearAccessToken === 'function') sdk.client.clearAccessToken();
  else sdk.client.setAccessToken(null);
}
