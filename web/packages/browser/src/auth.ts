import { readRefusal, send, type RequestExtras } from './http';
import {
  DEFAULT_SDK_TIMEOUT_MS,
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
import { openTabs, type SharedToken, type TabMessage, type Tabs } from './tabs';
import {
  INVALID_REPLY,
  TOKEN_SERVICE,
  clockSkewMs,
  failure,
  messageOf,
  parseTokenReply,
  reasonFor,
  thrown,
  type Refusal,
  type TokenReply,
} from './token-reply';
import {
  DEFAULT_CHANNEL_NAME,
  DEFAULT_RENEW_MARGIN_SECONDS,
  DEFAULT_RETRY_DELAY_SECONDS,
  DEFAULT_TOKEN_ENDPOINT,
  type SyneriseAuth,
  type SyneriseAuthFailure,
  type SyneriseAuthOptions,
  type SyneriseAuthState,
  type SyneriseToken,
  type TokenRefusalReason,
} from './types';

export * from './types';
export { signedOut } from './signed-out';

/** The token held, with the identity hash it was obtained for and the clocks' skew. */
type HeldToken = SharedToken;

// setTimeout keeps delays in a signed 32-bit integer; longer ones fire at once.
const MAX_TIMER_MS = 2_147_483_647;
// However the clocks disagree, never renew more often than this.
const MIN_RENEW_DELAY_MS = 5_000;
// How long a tab waits for the token another tab just obtained before asking itself.
const HANDOVER_WAIT_MS = 2_000;
// What a gate's refusal code looks like; anything else is reported as `token_refused`.
const REASON_PATTERN = /^[a-z_]{1,40}$/;

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
