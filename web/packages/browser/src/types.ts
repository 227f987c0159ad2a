/**
 * The options of {@link createSyneriseAuth} and the values it hands out: the browser core's public
 * types, and its defaults.
 */
import type { ServerRefusal } from './http';
import type { LockManagerLike } from './tabs';

/** Where the token comes from, unless told otherwise. */
export const DEFAULT_TOKEN_ENDPOINT = '/generate-jwt';
/** How long before `exp` the token is renewed, unless told otherwise. */
export const DEFAULT_RENEW_MARGIN_SECONDS = 60;
/** How long to wait before trying again when a scheduled renewal fails. */
export const DEFAULT_RETRY_DELAY_SECONDS = 15;
/** The channel (and lock) the tabs of one site share, unless told otherwise. */
export const DEFAULT_CHANNEL_NAME = 'synerise-auth';

export interface SyneriseAuthOptions {
  /**
   * The token endpoint, `/generate-jwt` by default: the service's, or a route of the shop's that
   * answers the same contract (`contract/token-endpoint.schema.json`), on this origin or another.
   */
  tokenEndpoint?: string;
  /**
   * The cookies the token and session requests carry: `same-origin` (the default) or `include`,
   * for an endpoint on another origin that reads its own cookie (it must allow this origin in CORS,
   * with credentials).
   */
  credentials?: 'same-origin' | 'include';
  /**
   * Extra headers for each token and session request, asked for each time: an ID token from the
   * site's identity provider (`{ Authorization: 'Bearer ' + await idToken() }`), a CSRF header. A
   * callback that throws (or rejects) fails that request, reported as `headers_unavailable`.
   */
  getHeaders?: () => Record<string, string> | Promise<Record<string, string>>;
  /**
   * The session endpoint `logout()` calls with DELETE, `/api/session` by default; `null` for a shop
   * that ends its own session: `logout()` then only clears the tracker's token, in every tab.
   */
  sessionEndpoint?: string | null;
  /** Renew this many seconds before the token's `exp` (60 by default). */
  renewMarginSeconds?: number;
  /** After a failed renewal, try again this many seconds later while the token lasts (15). */
  retryDelaySeconds?: number;
  /** How long to wait for `window.SR` to load (10 000 ms by default). */
  sdkTimeoutMs?: number;
  /**
   * The name the site's tabs share their token, renewals and sign-out under
   * (`synerise-auth` by default); `null` keeps this instance to itself.
   */
  channelName?: string | null;
  /** Replaces `navigator.locks` (tests); `null` uses the `localStorage` lease instead. */
  locks?: LockManagerLike | null;
}

/** The token the SDK holds, as this code knows it. */
export interface SyneriseToken {
  /** The signed token, as handed to `SR.client.setAccessToken`. */
  jwt: string;
  /** The customer's uuid, derived by the server; also the token's `uuid` claim. */
  uuid: string;
  /** The customer's email, from the token's `email` claim. */
  email: string;
  /** When the token stops being accepted (its `exp`). */
  expiresAt: Date;
}

export type AuthenticationStatus = 'idle' | 'authenticating' | 'authenticated' | 'error';

/** What {@link SyneriseAuth.subscribe} listeners see. A new object on every change. */
export interface SyneriseAuthState {
  status: AuthenticationStatus;
  /** The last failure as a sentence for the visitor, or `null`. */
  error: string | null;
  /** `true` while `authenticate` or `logout` is working. */
  loading: boolean;
  token: SyneriseToken | null;
}

/** The event gate's (and Synerise's) reasons for refusing an event's token. */
export type TokenRefusalReason =
  | 'token_required'
  | 'malformed_token'
  | 'wrong_algorithm'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'missing_claim'
  | 'invalid_claim'
  | 'certificate_replaced'
  | 'uuid_mismatch';

/** Why something failed, stable for programs. */
export type FailureReason =
  | 'sdk_unavailable'
  | 'network'
  /** The `getHeaders` option threw or rejected: the request was not sent. */
  | 'headers_unavailable'
  | 'not_signed_in'
  | 'rate_limited'
  | 'server_refused'
  | 'invalid_reply'
  /** The tracker's token was refused again after one renewal; the gate's code when known. */
  | 'token_refused'
  | TokenRefusalReason;

/** One failure, as {@link SyneriseAuth.onFailure} listeners get it: once per failure. */
export interface SyneriseAuthFailure extends ServerRefusal {
  reason: FailureReason;
  /** What failed. */
  during: 'authenticate' | 'renew' | 'logout' | 'token_refused';
}

export interface SyneriseAuth {
  /**
   * Makes sure the SDK carries a valid token for `email`, fetching one when the identity changed
   * or none is held. Resolves `true` on success, `false` on any failure; never throws.
   */
  authenticate(email: string): Promise<boolean>;
  /**
   * Signs out (`DELETE` on the session endpoint, none when it is `null`), clears the SDK's token,
   * in every tab.
   */
  logout(): Promise<boolean>;
  /** Fetches a fresh token for the current customer now. Concurrent calls share one request. */
  renew(): Promise<boolean>;
  /**
   * Tell it an event was refused because of its token (a 401 from Synerise or the gate). It
   * renews once; refusals arriving together share that one renewal. Pass the refused token when
   * known, so a refusal of a token already replaced does not trigger another request, and the
   * gate's reason, which a failure then carries.
   */
  onTokenRefused(refusedJwt?: string | null, reason?: string | null): Promise<boolean>;
  getState(): SyneriseAuthState;
  /** Calls `listener` with every new state; returns the function that stops it. */
  subscribe(listener: (state: SyneriseAuthState) => void): () => void;
  /** Calls `listener` once per failure; returns the function that stops it. */
  onFailure(listener: (failure: SyneriseAuthFailure) => void): () => void;
  /**
   * Joins the other tabs and arms the renewal timer. Done on creation in a browser; call it
   * again after {@link disconnect} (React does, on remount).
   */
  connect(): void;
  /** Leaves the other tabs and stops the timers; the state is kept. */
  disconnect(): void;
}
