import { isRecord, readRefusal, send, type RequestExtras, type ServerRefusal } from './http';
import { decodeJwtUnverified } from './jwt';
import {
  DEFAULT_SDK_TIMEOUT_MS,
  SdkUnavailableError,
  clearAccessToken,
  currentSdk,
  getAccessToken,
  getIdentityHash,
  hashIdentity,
  setAccessToken,
  setUuidAndIdentityHash,
  waitForSdk,
  type SyneriseSdk,
} from './sdk';
import { DEFAULT_SESSION_ENDPOINT, deleteSession } from './session';
import { openTabs, type LockManagerLike, type SharedToken, type TabMessage, type Tabs } from './tabs';

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

/** The token held, with the identity hash it was obtained for and the clocks' skew. */
type HeldToken = SharedToken;

type Refusal = ServerRefusal & { reason: FailureReason };
type TokenReply = { token: SyneriseToken; skewMs: number } | Refusal;

const TOKEN_SERVICE = 'token service';
const INVALID_REPLY = 'The token service sent no valid token.';
// setTimeout keeps delays in a signed 32-bit integer; longer ones fire at once.
const MAX_TIMER_MS = 2_147_483_647;
// However the clocks disagree, never renew more often than this.
const MIN_RENEW_DELAY_MS = 5_000;
// How long a tab waits for the token another tab just obtained before asking itself.
const HANDOVER_WAIT_MS = 2_000;
// What a gate's refusal code looks like; anything else is reported as `token_refused`.
const REASON_PATTERN = /^[a-z_]{1,40}$/;

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

/** A failure found here rather than refused by a server: no code, status 0 unless given. */
function failure(reason: FailureReason, message: string, status = 0): Refusal {
  return { reason, message, code: null, status, retryAfterSeconds: null };
}

/** What a thrown error means: the tracker never loaded, or the request got no answer. */
function thrown(cause: unknown): Refusal {
  return failure(cause instanceof SdkUnavailableError ? 'sdk_unavailable' : 'network', messageOf(cause));
}

function reasonFor(status: number): FailureReason {
  if (status === 0) return 'network';
  if (status === 401) return 'not_signed_in';
  if (status === 429) return 'rate_limited';
  return 'server_refused';
}

/**
 * Reads `{jwt, uuid, expiresAt}` and cross-checks it with the token's own claims; `null` for a
 * reply without a token, a uuid or an expiry.
 */
function parseTokenReply(body: unknown, requestedEmail: string): SyneriseToken | null {
  if (!isRecord(body) || typeof body.jwt !== 'string' || typeof body.uuid !== 'string') return null;
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwtUnverified(body.jwt).claims;
  } catch {
    return null;
  }
  // The reply's expiresAt and the token's exp agree by contract; prefer the reply's, fall back to exp.
  const fromReply = typeof body.expiresAt === 'string' ? Date.parse(body.expiresAt) : Number.NaN;
  const fromClaim = typeof claims.exp === 'number' ? claims.exp * 1000 : Number.NaN;
  const expiresAtMs = Number.isFinite(fromReply) ? fromReply : fromClaim;
  if (!Number.isFinite(expiresAtMs)) return null;
  return {
    jwt: body.jwt,
    uuid: body.uuid,
    email: typeof claims.email === 'string' ? claims.email : requestedEmail,
    expiresAt: new Date(expiresAtMs),
  };
}

/**
 * Gets a Synerise token for the signed-in customer to the Synerise JS SDK, and keeps it valid,
 * in every tab of the site at once. Framework-free; safe to import where there is no `window`.
 *
 * The server does everything that needs a secret: it checks who is asking (the session cookie),
 * derives the customer's uuid from its salt, and signs. The browser only compares identity hashes,
 * asks for a token, and hands it to the SDK.
 *
 * ```ts
 * const auth = createSyneriseAuth();
 * auth.onFailure((failure) => console.warn(failure.reason, failure.message));
 * // after your own sign-in succeeded:
 * if (await auth.authenticate(email)) showAccount();
 * ```
 *
 * `options` may be a function, read each time a value is needed (the React hook passes the
 * latest props that way).
 */
export function createSyneriseAuth(options: SyneriseAuthOptions | (() => SyneriseAuthOptions) = {}): SyneriseAuth {
  const opt = typeof options === 'function' ? options : () => options;
  let state: SyneriseAuthState = { status: 'idle', error: null, loading: false, token: null };
  const listeners = new Set<(state: SyneriseAuthState) => void>();
  const failureListeners = new Set<(failure: SyneriseAuthFailure) => void>();

  let held: HeldToken | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let renewal: Promise<boolean> | null = null;
  // The token a refusal-driven renewal was started for: a second refusal of it is not renewed again.
  let refusalRenewedFor: string | null = null;
  // Bumped by authenticate() and logout(): answers to requests from before are dropped, so a
  // renewal that lands after sign-out cannot put a token back into the SDK.
  let generation = 0;
  // The failure automatic retries last reported: the same one again is not reported again.
  let lastRetryFailure: string | null = null;
  let tabs: Tabs | null = null;
  let connected = false;
  // Resolved when another tab hands over a token: a tab waiting for it stops waiting.
  let handover: (() => void) | null = null;
  // How many tokens other tabs have handed over: one arriving during a renewal ends it.
  let handovers = 0;

  const marginMs = () => (opt().renewMarginSeconds ?? DEFAULT_RENEW_MARGIN_SECONDS) * 1000;
  const sdkTimeout = () => opt().sdkTimeoutMs ?? DEFAULT_SDK_TIMEOUT_MS;
  const remainingMs = (token: HeldToken) => token.expiresAt.getTime() - (Date.now() + token.skewMs);

  function update(change: Partial<SyneriseAuthState>) {
    state = { ...state, ...change };
    for (const listener of [...listeners]) listener(state);
  }

  function report(failure: SyneriseAuthFailure, automatic = false) {
    if (automatic) {
      const key = `${failure.reason} ${failure.code ?? ''}`;
      if (key === lastRetryFailure) return;
      lastRetryFailure = key;
    }
    // Each listener on its own microtask: one that throws stops neither the others nor this code.
    for (const listener of failureListeners) queueMicrotask(() => listener(failure));
  }

  function clearTimer() {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
  }

  /** The credentials policy and the site's extra headers, or why the headers could not be had. */
  async function extras(): Promise<RequestExtras | Refusal> {
    const { credentials, getHeaders } = opt();
    try {
      return { credentials, headers: await getHeaders?.() };
    } catch (cause) {
      return failure('headers_unavailable', `Could not get the request's headers (${messageOf(cause)}).`);
    }
  }

  async function requestToken(email: string): Promise<TokenReply> {
    const init = await extras();
    if ('reason' in init) return init;
    // No uuid and no salt: the server derives the customer's uuid itself.
    const response = await send('POST', opt().tokenEndpoint ?? DEFAULT_TOKEN_ENDPOINT, TOKEN_SERVICE, { email }, init);
    if (!('ok' in response)) return { ...response, reason: 'network' };
    if (!response.ok) {
      const refusal = await readRefusal(response, TOKEN_SERVICE);
      return { ...refusal, reason: reasonFor(refusal.status) };
    }
    const skewMs = clockSkewMs(response);
    let parsed: SyneriseToken | null = null;
    try {
      parsed = parseTokenReply(await response.json(), email);
    } catch {
      // not JSON: refused below
    }
    return parsed
      ? { token: parsed, skewMs }
      : failure('invalid_reply', INVALID_REPLY, response.status);
  }

  function install(sdk: SyneriseSdk, fresh: SyneriseToken, identityHash: string, skewMs: number, change: Partial<SyneriseAuthState> = {}) {
    // Identity first: the token's uuid claim must match the uuid events are sent with.
    setUuidAndIdentityHash(sdk, fresh.uuid, identityHash);
    setAccessToken(sdk, fresh.jwt);
    const token: HeldToken = { ...fresh, identityHash, skewMs };
    held = token;
    lastRetryFailure = null;
    schedule(token);
    update({ status: 'authenticated', error: null, token: fresh, ...change });
    return token;
  }

  function forgetToken() {
    clearTimer();
    held = null;
    renewal = null;
    refusalRenewedFor = null;
    const sdk = currentSdk();
    if (sdk) clearAccessToken(sdk);
  }

  function onTabMessage(message: TabMessage) {
    if (message.type === 'signed-out') {
      // The session cookie is shared: signed out there is signed out here.
      ++generation;
      forgetToken();
      update({ status: 'idle', error: null, loading: false, token: null });
      return;
    }
    const { jwt, uuid, email, expiresAt, identityHash, skewMs } = message.token;
    const sdk = currentSdk();
    // Never go back to an older token than the one held; the same one needs no installing.
    if (sdk && (held === null || (held.jwt !== jwt && held.expiresAt <= expiresAt))) {
      install(sdk, { jwt, uuid, email, expiresAt }, identityHash, skewMs);
    }
    // A tab waiting for this renewal has its answer, even when it is the token it holds.
    handovers++;
    handover?.();
  }

  /** Waits up to {@link HANDOVER_WAIT_MS} for another tab's token; whether one arrived. */
  function awaitHandover(before: HeldToken): Promise<boolean> {
    return new Promise((done) => {
      const wait = setTimeout(() => {
        handover = null;
        done(held !== before);
      }, HANDOVER_WAIT_MS);
      handover = () => {
        clearTimeout(wait);
        handover = null;
        done(true);
      };
    });
  }

  function renew(): Promise<boolean> {
    if (renewal) return renewal;
    const started = held;
    if (!started) return Promise.resolve(false);
    const startedIn = generation;
    const seen = handovers;
    const run = async (): Promise<boolean> => {
      // Another tab may have renewed while this one waited for its turn.
      if (held !== started || handovers !== seen) return held !== null;
      if (tabs?.wasRenewed(started.jwt) && (await awaitHandover(started))) return held !== null;
      if (startedIn !== generation) return false;
      const sdk = await waitForSdk(sdkTimeout());
      tabs?.markRenewing(started.jwt);
      const reply = await requestToken(started.email);
      if (startedIn !== generation) return false;
      if ('token' in reply) {
        const token = install(sdk, reply.token, started.identityHash, reply.skewMs);
        // Told even when the server handed back the same token (its reuse window): a tab
        // waiting to renew the same one then need not ask.
        tabs?.post({ type: 'token', token });
        return true;
      }
      const failure: SyneriseAuthFailure = { ...reply, during: 'renew' };
      if (reply.status === 401 || reply.status === 403) {
        // The session is gone (expired, or signed out elsewhere): no renewal can succeed, and
        // the SDK must stop sending a token for someone who is no longer signed in.
        forgetToken();
        update({ status: 'error', error: reply.message, token: null });
        report(failure);
      } else {
        update({ error: reply.message });
        report(failure, true);
        scheduleRetry(started, reply.retryAfterSeconds);
      }
      return false;
    };
    const turn = async () => {
      // Without Web Locks, a tab renewing now holds the lease: its token is on its way.
      if (tabs?.busy()) await awaitHandover(started);
      return tabs ? tabs.exclusive(run) : run();
    };
    const current: Promise<boolean> = turn()
      .catch((cause: unknown) => {
        if (startedIn === generation) {
          update({ error: messageOf(cause) });
          report({ ...thrown(cause), during: 'renew' }, true);
          if (held) scheduleRetry(held, null);
        }
        return false;
      })
      .finally(() => {
        if (renewal === current) renewal = null;
      });
    renewal = current;
    return current;
  }

  function scheduleRetry(token: HeldToken, retryAfterSeconds: number | null) {
    const remaining = remainingMs(token);
    // Nothing to keep alive once the token has expired, or once it was replaced or dropped.
    if (remaining <= 0 || held !== token) return;
    const retrySeconds = Math.max(opt().retryDelaySeconds ?? DEFAULT_RETRY_DELAY_SECONDS, retryAfterSeconds ?? 0);
    clearTimer();
    timer = setTimeout(() => {
      timer = null;
      void renew();
    }, Math.min(retrySeconds * 1000, remaining));
  }

  function schedule(token: HeldToken) {
    clearTimer();
    // Disconnected (unmounted, or no browser at all): nothing may fire later.
    if (!connected) return;
    const remaining = remainingMs(token);
    // Renew `margin` before exp; for a token shorter-lived than twice the margin, renew halfway
    // instead, so a short lifetime cannot turn into a loop of back-to-back requests.
    const delay = Math.max(remaining - marginMs(), remaining / 2, MIN_RENEW_DELAY_MS);
    const due = Date.now() + delay;
    const arm = (wait: number) => {
      timer = setTimeout(() => {
        timer = null;
        // A week-long token outlasts one setTimeout; wait in steps until it is due.
        if (Date.now() < due) arm(Math.min(due - Date.now(), MAX_TIMER_MS));
        else void renew();
      }, wait);
    };
    arm(Math.min(delay, MAX_TIMER_MS));
  }

  async function authenticate(email: string): Promise<boolean> {
    const mine = ++generation;
    renewal = null;
    update({ loading: true, status: 'authenticating', error: null });
    const fail = (failure: Omit<SyneriseAuthFailure, 'during'>) => {
      if (mine !== generation) return false;
      update({ error: failure.message, status: 'error', loading: false });
      report({ ...failure, during: 'authenticate' });
      return false;
    };
    try {
      const sdk = await waitForSdk(sdkTimeout());
      const wanted = await hashIdentity(sdk, email);
      const current = await getIdentityHash(sdk);
      const fresh = held !== null && remainingMs(held) > marginMs();
      // Where the tracker can say which token it holds, it must still be ours.
      const inSdk = getAccessToken(sdk);
      if (current === wanted && held?.identityHash === wanted && fresh && (inSdk === undefined || inSdk === held.jwt)) {
        // Same customer, token still good: nothing to fetch.
        if (mine !== generation) return false;
        update({ status: 'authenticated', loading: false });
        return true;
      }
      const reply = await requestToken(email);
      if (!('token' in reply)) {
        // Nobody is signed in there: the tracker must not keep sending someone's token.
        if (reply.status === 401 && mine === generation) forgetToken();
        return fail(reply);
      }
      if (mine !== generation) return false;
      refusalRenewedFor = null;
      const token = install(sdk, reply.token, wanted, reply.skewMs, { loading: false });
      tabs?.post({ type: 'token', token });
      return true;
    } catch (cause) {
      return fail(thrown(cause));
    }
  }

  async function logout(): Promise<boolean> {
    ++generation;
    update({ loading: true, error: null });
    const endpoint = opt().sessionEndpoint;
    const init = endpoint === null ? null : await extras();
    const problem = init === null ? null : 'reason' in init ? init : await deleteSession(endpoint ?? DEFAULT_SESSION_ENDPOINT, init);
    // Forget the token even when the server could not be told: the visitor asked to sign out,
    // and this browser must stop sending authenticated events at once.
    forgetToken();
    tabs?.post({ type: 'signed-out' });
    update({ error: problem?.message ?? null, status: problem === null ? 'idle' : 'error', loading: false, token: null });
    if (problem) {
      report({ reason: reasonFor(problem.status), ...problem, during: 'logout' });
    }
    return problem === null;
  }

  function onTokenRefused(refusedJwt?: string | null, reason?: string | null): Promise<boolean> {
    const token = held;
    if (!token) return Promise.resolve(false);
    if (refusedJwt !== undefined && refusedJwt !== token.jwt) {
      // The refused event carried an older token (or none): the one held now is newer.
      return renewal ?? Promise.resolve(true);
    }
    if (renewal) return renewal;
    if (refusalRenewedFor === token.jwt) {
      // Already renewed once for this very token and got it back: asking again would only loop.
      report({
        reason: reason && REASON_PATTERN.test(reason) ? (reason as TokenRefusalReason) : 'token_refused',
        message: 'The token was refused again after renewal.',
        code: reason ?? null,
        status: 401,
        retryAfterSeconds: null,
        during: 'token_refused',
      });
      return Promise.resolve(false);
    }
    refusalRenewedFor = token.jwt;
    return renew();
  }

  function connect() {
    if (connected) return;
    connected = true;
    const name = opt().channelName;
    if (name !== null && typeof window !== 'undefined') tabs = openTabs(name ?? DEFAULT_CHANNEL_NAME, onTabMessage, opt().locks);
    // Re-arm after a remount (React's StrictMode unmounts and mounts once in development).
    if (held) schedule(held);
  }

  function disconnect() {
    connected = false;
    clearTimer();
    tabs?.close();
    tabs = null;
  }

  if (typeof window !== 'undefined') connect();

  return {
    authenticate,
    logout,
    renew,
    onTokenRefused,
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onFailure(listener) {
      failureListeners.add(listener);
      return () => failureListeners.delete(listener);
    },
    connect,
    disconnect,
  };
}

/**
 * For a page shown after the shop ended the customer's session its own way (a form POST and a
 * redirect): clears the tracker's token on this page and in every open tab of the site, with no
 * server call. One line on a server-rendered logged-out page:
 *
 * ```html
 * <script src="/sdk/synerise-auth.js" onload="SyneriseAuth.signedOut()"></script>
 * ```
 *
 * Resolves `true` once this page's tracker was cleared, `false` when it never loaded.
 */
export async function signedOut(options: Pick<SyneriseAuthOptions, 'channelName' | 'sdkTimeoutMs'> = {}): Promise<boolean> {
  const name = options.channelName;
  if (name !== null && typeof BroadcastChannel !== 'undefined') {
    // What a tab's own logout() says; a message posted before close() is still delivered.
    const channel = new BroadcastChannel(name ?? DEFAULT_CHANNEL_NAME);
    channel.postMessage({ type: 'signed-out' } satisfies TabMessage);
    channel.close();
  }
  try {
    clearAccessToken(await waitForSdk(options.sdkTimeoutMs ?? DEFAULT_SDK_TIMEOUT_MS));
    return true;
  } catch {
    return false;
  }
}
