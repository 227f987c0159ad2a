import { useCallback, useEffect, useRef, useState } from 'react';

import { isRecord, readRefusal, unreachable } from '../http';
import { decodeJwtUnverified } from '../jwt';
import {
  DEFAULT_SDK_TIMEOUT_MS,
  clearAccessToken,
  currentSdk,
  getIdentityHash,
  hashIdentity,
  setAccessToken,
  setUuidAndIdentityHash,
  waitForSdk,
  type SyneriseSdk,
} from '../sdk';
import { DEFAULT_SESSION_ENDPOINT, signOut } from '../session';

/** Where the token comes from, unless told otherwise. */
export const DEFAULT_TOKEN_ENDPOINT = '/generate-jwt';
/** How long before `exp` the token is renewed, unless told otherwise. */
export const DEFAULT_RENEW_MARGIN_SECONDS = 60;
/** How long to wait before trying again when a scheduled renewal fails. */
export const DEFAULT_RETRY_DELAY_SECONDS = 15;

export interface UseSyneriseAuthenticationOptions {
  /** The token endpoint, `/generate-jwt` by default. It is called with same-origin credentials. */
  tokenEndpoint?: string;
  /** The session endpoint `logout()` calls with DELETE, `/api/session` by default. */
  sessionEndpoint?: string;
  /** Renew this many seconds before the token's `exp` (60 by default). */
  renewMarginSeconds?: number;
  /** After a failed renewal, try again this many seconds later while the token lasts (15). */
  retryDelaySeconds?: number;
  /** How long to wait for `window.SR` to load (10 000 ms by default). */
  sdkTimeoutMs?: number;
}

/** The token the SDK holds, as the hook knows it. */
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

export interface UseSyneriseAuthenticationResult {
  /**
   * Makes sure the SDK carries a valid token for `email`, fetching one when the identity changed
   * or none is held. Resolves `true` on success, `false` on any failure (see `error`); never throws.
   */
  authenticate(email: string): Promise<boolean>;
  /** Signs out (`DELETE` on the session endpoint) and clears the SDK's token. Never throws. */
  logout(): Promise<boolean>;
  /** Fetches a fresh token for the current customer now. Concurrent calls share one request. */
  renew(): Promise<boolean>;
  /**
   * Tell the hook an event was refused because of its token (a 401 from Synerise or the gate).
   * It renews once; refusals arriving together share that one renewal. Pass the refused token when
   * known, so a refusal of a token already replaced does not trigger another request.
   */
  onTokenRefused(refusedJwt?: string | null): Promise<boolean>;
  status: AuthenticationStatus;
  /** The last failure as a sentence for the visitor, or `null`. */
  error: string | null;
  /** `true` while `authenticate` or `logout` is working. */
  loading: boolean;
  token: SyneriseToken | null;
}

interface HeldToken extends SyneriseToken {
  identityHash: string;
  /** The server's clock minus the browser's, from the reply's `Date` header. */
  skewMs: number;
}

type TokenReply =
  | { ok: true; token: SyneriseToken; skewMs: number }
  | { ok: false; message: string; status: number; retryAfterSeconds: number | null };

const TOKEN_SERVICE = 'token service';
// setTimeout keeps delays in a signed 32-bit integer; longer ones fire at once.
const MAX_TIMER_MS = 2_147_483_647;
// However the clocks disagree, never renew more often than this.
const MIN_RENEW_DELAY_MS = 5_000;

/**
 * How far the server's clock is ahead of the browser's. `exp` is the server's time; a browser
 * whose clock is off by hours would otherwise think every token expired (and renew in a loop) or
 * never renew at all. The `Date` header has one-second resolution, which is plenty here.
 */
function clockSkewMs(response: Response): number {
  const header = response.headers.get('Date');
  const serverNow = header === null ? Number.NaN : Date.parse(header);
  return Number.isFinite(serverNow) ? serverNow - Date.now() : 0;
}

function messageOf(cause: unknown): string {
  return cause instanceof Error && cause.message ? cause.message : String(cause);
}

/** Reads `{jwt, uuid, expiresAt}` and cross-checks it with the token's own claims. */
function parseTokenReply(body: unknown, requestedEmail: string): SyneriseToken | string {
  if (!isRecord(body) || typeof body.jwt !== 'string' || typeof body.uuid !== 'string') {
    return 'The token service sent a reply without a token and a uuid.';
  }
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwtUnverified(body.jwt).claims;
  } catch {
    return 'The token service sent something that is not a JWT.';
  }
  // The reply's expiresAt and the token's exp agree by contract; prefer the reply's, fall back to exp.
  const fromReply = typeof body.expiresAt === 'string' ? Date.parse(body.expiresAt) : Number.NaN;
  const fromClaim = typeof claims.exp === 'number' ? claims.exp * 1000 : Number.NaN;
  const expiresAtMs = Number.isFinite(fromReply) ? fromReply : fromClaim;
  if (!Number.isFinite(expiresAtMs)) return 'The token service sent a token without an expiry.';
  return {
    jwt: body.jwt,
    uuid: body.uuid,
    email: typeof claims.email === 'string' ? claims.email : requestedEmail,
    expiresAt: new Date(expiresAtMs),
  };
}

/**
 * Gets a Synerise token for the signed-in customer to the Synerise JS SDK, and keeps it valid.
 *
 * The server does everything that needs a secret: it checks who is asking (the session cookie),
 * derives the customer's uuid from its salt, and signs. The browser only compares identity hashes,
 * asks for a token, and hands it to the SDK.
 *
 * ```tsx
 * const auth = useSyneriseAuthentication();
 * // after your own sign-in succeeded:
 * if (await auth.authenticate(email)) showAccount();
 * ```
 */
export function useSyneriseAuthentication(
  options: UseSyneriseAuthenticationOptions = {},
): UseSyneriseAuthenticationResult {
  const [status, setStatus] = useState<AuthenticationStatus>('idle');
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [token, setToken] = useState<SyneriseToken | null>(null);

  // Timers and promises outlive renders; refs keep one copy of each across them.
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const heldRef = useRef<HeldToken | null>(null);
  const timerRef = useRef<ReturnType<typeof setTimeout> | null>(null);
  const renewalRef = useRef<Promise<boolean> | null>(null);
  const renewalTicketRef = useRef<object | null>(null);
  // The token a refusal-driven renewal was started for: a second refusal of it is not renewed again.
  const refusalRenewedForRef = useRef<string | null>(null);
  // Bumped by authenticate() and logout(): answers to requests from before are dropped, so a
  // renewal that lands after sign-out cannot put a token back into the SDK.
  const generationRef = useRef(0);
  const scheduleRef = useRef<(held: HeldToken) => void>(() => {});
  const scheduleRetryRef = useRef<(held: HeldToken, retryAfterSeconds: number | null) => void>(() => {});

  const marginMs = () => (optionsRef.current.renewMarginSeconds ?? DEFAULT_RENEW_MARGIN_SECONDS) * 1000;
  const sdkTimeout = () => optionsRef.current.sdkTimeoutMs ?? DEFAULT_SDK_TIMEOUT_MS;

  const clearTimer = useCallback(() => {
    if (timerRef.current !== null) {
      clearTimeout(timerRef.current);
      timerRef.current = null;
    }
  }, []);

  const requestToken = useCallback(async (email: string): Promise<TokenReply> => {
    let response: Response;
    try {
      response = await fetch(optionsRef.current.tokenEndpoint ?? DEFAULT_TOKEN_ENDPOINT, {
        method: 'POST',
        // The session cookie proves who is asking; it must never go to another origin.
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        // No uuid and no salt: the server derives the customer's uuid itself.
        body: JSON.stringify({ email }),
      });
    } catch (cause) {
      return { ok: false, message: unreachable(TOKEN_SERVICE, cause), status: 0, retryAfterSeconds: null };
    }
    if (!response.ok) {
      const { message, status, retryAfterSeconds } = await readRefusal(response, TOKEN_SERVICE);
      return { ok: false, message, status, retryAfterSeconds };
    }
    const skewMs = clockSkewMs(response);
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return { ok: false, message: 'The token service sent a reply that is not JSON.', status: response.status, retryAfterSeconds: null };
    }
    const parsed = parseTokenReply(body, email);
    return typeof parsed === 'string'
      ? { ok: false, message: parsed, status: response.status, retryAfterSeconds: null }
      : { ok: true, token: parsed, skewMs };
  }, []);

  const install = useCallback((sdk: SyneriseSdk, fresh: SyneriseToken, identityHash: string, skewMs: number) => {
    // Identity first: the token's uuid claim must match the uuid events are sent with.
    setUuidAndIdentityHash(sdk, fresh.uuid, identityHash);
    setAccessToken(sdk, fresh.jwt);
    const held: HeldToken = { ...fresh, identityHash, skewMs };
    heldRef.current = held;
    setToken(fresh);
    scheduleRef.current(held);
  }, []);

  const forgetToken = useCallback(() => {
    clearTimer();
    heldRef.current = null;
    renewalRef.current = null;
    refusalRenewedForRef.current = null;
    setToken(null);
    const sdk = currentSdk();
    if (sdk) clearAccessToken(sdk);
  }, [clearTimer]);

  const renew = useCallback((): Promise<boolean> => {
    if (renewalRef.current) return renewalRef.current;
    const held = heldRef.current;
    if (!held) return Promise.resolve(false);
    const generation = generationRef.current;
    // Identifies this renewal in `finally`, where the promise itself is not yet assigned for TS.
    const ticket = {};
    renewalTicketRef.current = ticket;
    const renewal = (async () => {
      try {
        const sdk = await waitForSdk(sdkTimeout());
        const reply = await requestToken(held.email);
        if (generation !== generationRef.current) return false;
        if (reply.ok) {
          install(sdk, reply.token, held.identityHash, reply.skewMs);
          setError(null);
          setStatus('authenticated');
          return true;
        }
        setError(reply.message);
        if (reply.status === 401 || reply.status === 403) {
          // The session is gone (expired, or signed out elsewhere): no renewal can succeed, and
          // the SDK must stop sending a token for someone who is no longer signed in.
          forgetToken();
          setStatus('error');
        } else {
          scheduleRetryRef.current(held, reply.retryAfterSeconds);
        }
        return false;
      } catch (cause) {
        if (generation === generationRef.current) {
          setError(messageOf(cause));
          scheduleRetryRef.current(held, null);
        }
        return false;
      } finally {
        if (renewalTicketRef.current === ticket) {
          renewalRef.current = null;
          renewalTicketRef.current = null;
        }
      }
    })();
    renewalRef.current = renewal;
    return renewal;
  }, [forgetToken, install, requestToken]);

  const remainingMs = (held: HeldToken) => held.expiresAt.getTime() - (Date.now() + held.skewMs);

  // Assigned on every render, like scheduleRef: timers call the current `renew`.
  scheduleRetryRef.current = (held: HeldToken, retryAfterSeconds: number | null) => {
    const remaining = remainingMs(held);
    // Nothing to keep alive once the token has expired, or once it was replaced or dropped.
    if (remaining <= 0 || heldRef.current !== held) return;
    const retrySeconds = Math.max(optionsRef.current.retryDelaySeconds ?? DEFAULT_RETRY_DELAY_SECONDS, retryAfterSeconds ?? 0);
    clearTimer();
    timerRef.current = setTimeout(() => {
      timerRef.current = null;
      void renew();
    }, Math.min(retrySeconds * 1000, remaining));
  };

  scheduleRef.current = (held: HeldToken) => {
    clearTimer();
    const remaining = remainingMs(held);
    // Renew `margin` before exp; for a token shorter-lived than twice the margin, renew halfway
    // instead, so a short lifetime cannot turn into a loop of back-to-back requests.
    const delay = Math.max(remaining - marginMs(), remaining / 2, MIN_RENEW_DELAY_MS);
    const due = Date.now() + delay;
    const arm = (wait: number) => {
      timerRef.current = setTimeout(() => {
        timerRef.current = null;
        // A week-long token outlasts one setTimeout; wait in steps until it is due.
        if (Date.now() < due) arm(Math.min(due - Date.now(), MAX_TIMER_MS));
        else void renew();
      }, wait);
    };
    arm(Math.min(delay, MAX_TIMER_MS));
  };

  const authenticate = useCallback(
    async (email: string): Promise<boolean> => {
      const generation = ++generationRef.current;
      renewalRef.current = null;
      setLoading(true);
      setStatus('authenticating');
      setError(null);
      const fail = (message: string) => {
        if (generation !== generationRef.current) return false;
        setError(message);
        setStatus('error');
        setLoading(false);
        return false;
      };
      try {
        const sdk = await waitForSdk(sdkTimeout());
        const wanted = await hashIdentity(sdk, email);
        const current = await getIdentityHash(sdk);
        const held = heldRef.current;
        const fresh = held !== null && remainingMs(held) > marginMs();
        if (current === wanted && held?.identityHash === wanted && fresh) {
          // Same customer, token still good: nothing to fetch.
          if (generation !== generationRef.current) return false;
          setStatus('authenticated');
          setLoading(false);
          return true;
        }
        const reply = await requestToken(email);
        if (!reply.ok) return fail(reply.message);
        if (generation !== generationRef.current) return false;
        refusalRenewedForRef.current = null;
        install(sdk, reply.token, wanted, reply.skewMs);
        setStatus('authenticated');
        setLoading(false);
        return true;
      } catch (cause) {
        return fail(messageOf(cause));
      }
    },
    [install, requestToken],
  );

  const logout = useCallback(async (): Promise<boolean> => {
    ++generationRef.current;
    setLoading(true);
    setError(null);
    const problem = await signOut({ endpoint: optionsRef.current.sessionEndpoint ?? DEFAULT_SESSION_ENDPOINT });
    // Forget the token even when the server could not be told: the visitor asked to sign out,
    // and this browser must stop sending authenticated events at once.
    forgetToken();
    setError(problem);
    setStatus(problem === null ? 'idle' : 'error');
    setLoading(false);
    return problem === null;
  }, [forgetToken]);

  const onTokenRefused = useCallback(
    (refusedJwt?: string | null): Promise<boolean> => {
      const held = heldRef.current;
      if (!held) return Promise.resolve(false);
      if (refusedJwt !== undefined && refusedJwt !== held.jwt) {
        // The refused event carried an older token (or none): the one held now is newer.
        return renewalRef.current ?? Promise.resolve(true);
      }
      if (renewalRef.current) return renewalRef.current;
      if (refusalRenewedForRef.current === held.jwt) {
        // Already renewed once for this very token and got it back: asking again would only loop.
        return Promise.resolve(false);
      }
      refusalRenewedForRef.current = held.jwt;
      return renew();
    },
    [renew],
  );

  useEffect(() => {
    // Re-arm after a remount (React's StrictMode unmounts and mounts once in development).
    if (heldRef.current) scheduleRef.current(heldRef.current);
    return clearTimer;
  }, [clearTimer]);

  return { authenticate, logout, renew, onTokenRefused, status, error, loading, token };
}
