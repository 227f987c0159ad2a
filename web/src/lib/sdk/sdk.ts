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
 *   with events. Synerise's JWT page (which asks for RS256 and a `{exp, uuid, email}` payload)
 *   shows no browser code at all; the name comes from the guide.
 * - Clearing the token: none of Synerise's pages name a call for it. We pass `null` to
 *   `setAccessToken`, which the stand-in treats as "no token"; a tracker that keeps its token
 *   only for the page's lifetime also drops it on the next load.
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
            `The Synerise tracker (window.SR) did not load within ${Math.round(timeoutMs / 1000)} s, ` +
              'so events cannot be authenticated. Check that the tracking script is on the page and not blocked.',
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

/** Makes the tracker forget its token, so later events go out unauthenticated. */
export function clearAccessToken(sdk: SyneriseSdk): void {
  sdk.client.setAccessToken(null);
}

function events(sdk: SyneriseSdk): SyneriseEvents {
  if (!sdk.event) throw new SdkUnavailableError('The Synerise tracker on this page has no event API (SR.event).');
  return sdk.event;
}

/** Sends a `page.visit`. Single-page apps send it themselves on each view. */
export function sendPageVisit(sdk: SyneriseSdk): unknown {
  return events(sdk).pageVisit();
}

/** Sends a custom event, e.g. `trackCustomEvent(sdk, 'demo.buttonClicked', {}, 'Clicked')`. */
export function trackCustomEvent(
  sdk: SyneriseSdk,
  action: string,
  params: Record<string, unknown>,
  label: string,
): unknown {
  return events(sdk).trackCustomEvent(action, params, label);
}

/** Sends a `form.submit` with the form's fields. Synerise requires a token for it by default. */
export function sendFormData(sdk: SyneriseSdk, label: string, params: Record<string, unknown>): unknown {
  return events(sdk).sendFormData(label, params);
}
