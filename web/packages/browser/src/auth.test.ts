import { afterEach, describe, expect, it, vi } from 'vitest';

import { deferred, installFakeSdk, jsonResponse, mockFetch, removeSdk, tokenReply } from '../../../test/helpers';
import { createSyneriseAuth, type SyneriseAuth, type SyneriseAuthFailure, type SyneriseAuthOptions } from './auth';
import type { LockManagerLike } from './tabs';

const EMAIL = 'ann@example.com';
const UUID = '6f1c2b0e-8c1d-5f3a-9b7e-2d4c6a8e0f12';

const created: SyneriseAuth[] = [];

/** A core with its failures recorded; disconnected after the test. */
function setup(options: SyneriseAuthOptions = {}) {
  const auth = createSyneriseAuth({ channelName: null, ...options });
  created.push(auth);
  const failures: SyneriseAuthFailure[] = [];
  auth.onFailure((failure) => failures.push(failure));
  return { auth, failures };
}

/** Serves `/generate-jwt` with a new token each call. */
function tokenRoute(ttlSeconds = 3600) {
  let n = 0;
  return () => jsonResponse(200, tokenReply(EMAIL, UUID, ttlSeconds, { n: ++n }));
}

/** Web Locks as one browser has them: one holder per name at a time, in the order asked. */
function sharedLocks(): LockManagerLike {
  const tails = new Map<string, Promise<unknown>>();
  return {
    request<T>(name: string, task: () => Promise<T>): Promise<T> {
      const run = (tails.get(name) ?? Promise.resolve()).then(task);
      tails.set(name, run.catch(() => undefined));
      return run;
    },
  };
}

/**
 * A fake tracker and `/generate-jwt` that answers the sign-in at once and holds every later
 * request back until `release()`.
 */
function renewalHeldBack() {
  installFakeSdk();
  const issue = tokenRoute();
  const held = deferred<Response>();
  let calls = 0;
  const { requests } = mockFetch({ 'POST /generate-jwt': () => (++calls === 1 ? issue() : held.promise) });
  return { requests, release: () => held.resolve(issue()) };
}

/** Lets the listeners' microtasks and the channel's messages through. */
const settle = () => new Promise((done) => setTimeout(done, 20));

afterEach(() => {
  for (const auth of created.splice(0)) auth.disconnect();
  removeSdk();
  vi.useRealTimers();
});

describe('createSyneriseAuth', () => {
  it('reports each state to subscribers until they unsubscribe', async () => {
    installFakeSdk();
    mockFetch({ 'POST /generate-jwt': tokenRoute() });
    const { auth } = setup();
    const seen: string[] = [];
    const stop = auth.subscribe((state) => seen.push(state.status));

    expect(await auth.authenticate(EMAIL)).toBe(true);
    stop();
    await auth.renew();

    expect(seen).toEqual(['authenticating', 'authenticated']);
    expect(auth.getState()).toMatchObject({ status: 'authenticated', loading: false, error: null });
    expect(auth.getState().token?.email).toBe(EMAIL);
  });

  it('fetches again when the tracker holds another token than the one handed to it', async () => {
    const { state } = installFakeSdk({}, { jwt: true });
    const { requests } = mockFetch({ 'POST /generate-jwt': tokenRoute() });
    const { auth } = setup();
    await auth.authenticate(EMAIL);
    await auth.authenticate(EMAIL);
    expect(requests).toHaveLength(1);

    state.token = null; // the tracker dropped it (SR.jwt.getAccessToken() says so)
    await auth.authenticate(EMAIL);
    expect(requests).toHaveLength(2);
    expect(state.token).toBe(auth.getState().token?.jwt);
  });

  it('clears the token with SR.jwt.clearAccessToken on sign-out when the tracker has it', async () => {
    const { state, client, jwt } = installFakeSdk({}, { jwt: true });
    mockFetch({ 'POST /generate-jwt': tokenRoute(), 'DELETE /api/session': () => new Response(null, { status: 204 }) });
    const { auth } = setup();
    await auth.authenticate(EMAIL);

    expect(await auth.logout()).toBe(true);
    expect(jwt?.clearAccessToken).toHaveBeenCalledTimes(1);
    expect(client.setAccessToken).not.toHaveBeenCalledWith(null);
    expect(state.token).toBeNull();
  });
});

describe('onFailure', () => {
  const cases: [string, () => Response, string, number][] = [
    ['not_signed_in', () => jsonResponse(401, { error: 'You are not signed in.', code: 'not_signed_in' }), 'not_signed_in', 401],
    ['rate_limited', () => jsonResponse(429, { error: 'Slow down.', code: 'rate_limited' }, { 'Retry-After': '30' }), 'rate_limited', 429],
    ['server_refused', () => jsonResponse(403, { error: 'Not yours.', code: 'email_mismatch' }), 'email_mismatch', 403],
    ['server_refused', () => new Response('<html>oops</html>', { status: 502 }), '', 502],
    ['invalid_reply', () => jsonResponse(200, { jwt: 'nope', uuid: UUID }), '', 200],
  ];

  it.each(cases)('reports %s once, with the code and status', async (reason, answer, code, status) => {
    installFakeSdk();
    mockFetch({ 'POST /generate-jwt': answer });
    const { auth, failures } = setup();

    expect(await auth.authenticate(EMAIL)).toBe(false);
    await settle();

    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ reason, status, code: code || null, during: 'authenticate' });
    expect(failures[0]?.message).toBe(auth.getState().error);
    if (reason === 'rate_limited') expect(failures[0]?.retryAfterSeconds).toBe(30);
  });

  it('reports a network failure as network', async () => {
    installFakeSdk();
    mockFetch({
      'POST /generate-jwt': () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const { auth, failures } = setup();
    await auth.authenticate(EMAIL);
    await settle();
    expect(failures.map((f) => f.reason)).toEqual(['network']);
  });

  it('reports a tracker that never loads as sdk_unavailable', async () => {
    mockFetch({});
    const { auth, failures } = setup({ sdkTimeoutMs: 100 });
    expect(await auth.authenticate(EMAIL)).toBe(false);
    await settle();
    expect(failures).toMatchObject([{ reason: 'sdk_unavailable', status: 0, during: 'authenticate' }]);
  });

  it('reports a sign-out the server refused', async () => {
    installFakeSdk();
    mockFetch({ 'DELETE /api/session': () => jsonResponse(403, { error: 'Cross-site.', code: 'cross_site_request' }) });
    const { auth, failures } = setup();
    expect(await auth.logout()).toBe(false);
    await settle();
    expect(failures).toMatchObject([{ reason: 'server_refused', code: 'cross_site_request', during: 'logout' }]);
  });

  it('reports a failing retry loop once, not on every retry, and again after a success', async () => {
    vi.useFakeTimers();
    installFakeSdk();
    let down = false;
    const issue = tokenRoute(300);
    const { requests } = mockFetch({
      'POST /generate-jwt': () => {
        if (down) throw new TypeError('Failed to fetch');
        return issue();
      },
    });
    const { auth, failures } = setup({ renewMarginSeconds: 60, retryDelaySeconds: 15 });
    await auth.authenticate(EMAIL);

    down = true;
    await vi.advanceTimersByTimeAsync(240_000 + 15_000 * 3);
    expect(requests.length).toBeGreaterThanOrEqual(4);
    expect(failures.map((f) => `${f.reason} ${f.during}`)).toEqual(['network renew']);

    down = false;
    await vi.advanceTimersByTimeAsync(15_000);
    expect(auth.getState().error).toBeNull();
    down = true;
    await vi.advanceTimersByTimeAsync(300_000);
    expect(failures.map((f) => f.reason)).toEqual(['network', 'network']);
  });

  it("reports a token refused again after its renewal with the gate's reason", async () => {
    installFakeSdk();
    const reply = tokenReply(EMAIL, UUID, 3600);
    mockFetch({ 'POST /generate-jwt': () => jsonResponse(200, reply) });
    const { auth, failures } = setup();
    await auth.authenticate(EMAIL);

    expect(await auth.onTokenRefused(reply.jwt, 'certificate_replaced')).toBe(true);
    expect(await auth.onTokenRefused(reply.jwt, 'certificate_replaced')).toBe(false);
    expect(await auth.onTokenRefused(reply.jwt, 'Not A Code!')).toBe(false);
    await settle();

    expect(failures).toMatchObject([
      { reason: 'certificate_replaced', code: 'certificate_replaced', during: 'token_refused' },
      { reason: 'token_refused', during: 'token_refused' },
    ]);
  });

  it('keeps working when a listener throws: each listener runs on its own microtask', async () => {
    installFakeSdk();
    mockFetch({ 'POST /generate-jwt': () => jsonResponse(401, { error: 'No.', code: 'not_signed_in' }) });
    // Catch what the microtasks throw, which would otherwise be this run's uncaught error.
    const original = globalThis.queueMicrotask.bind(globalThis);
    const errors: unknown[] = [];
    vi.stubGlobal('queueMicrotask', (task: () => void) =>
      original(() => {
        try {
          task();
        } catch (error) {
          errors.push(error);
        }
      }),
    );
    const { auth, failures } = setup();
    auth.onFailure(() => {
      throw new Error('a broken listener');
    });

    expect(await auth.authenticate(EMAIL)).toBe(false);
    await settle();

    expect(failures).toHaveLength(1);
    expect(errors).toEqual([new Error('a broken listener')]);
  });
});

describe('tabs as one', () => {
  function twoTabs(options: SyneriseAuthOptions = {}) {
    const locks = sharedLocks();
    const first = setup({ channelName: 'synerise-auth-test', locks, ...options });
    const second = setup({ channelName: 'synerise-auth-test', locks, ...options });
    return { first: first.auth, second: second.auth };
  }

  it("hands a sign-in's token to the other tab", async () => {
    installFakeSdk();
    const { requests } = mockFetch({ 'POST /generate-jwt': tokenRoute() });
    const { first, second } = twoTabs();

    await first.authenticate(EMAIL);
    await settle();

    expect(requests).toHaveLength(1);
    expect(second.getState()).toMatchObject({ status: 'authenticated' });
    expect(second.getState().token?.jwt).toBe(first.getState().token?.jwt);
  });

  it('shares one renewal between two tabs renewing at once (Web Locks)', async () => {
    const { requests, release } = renewalHeldBack();
    const { first, second } = twoTabs();
    await first.authenticate(EMAIL);
    await settle();
    const old = second.getState().token?.jwt;

    const both = Promise.all([first.renew(), second.renew()]);
    await settle();
    release();

    await expect(both).resolves.toEqual([true, true]);
    expect(requests).toHaveLength(2);
    expect(second.getState().token?.jwt).not.toBe(old);
    expect(second.getState().token?.jwt).toBe(first.getState().token?.jwt);
  });

  it('waits for the token when the lock comes before it (and localStorage lags)', async () => {
    const { requests, release } = renewalHeldBack();
    const { first, second } = twoTabs();
    await first.authenticate(EMAIL);
    await settle();

    const renewing = first.renew();
    await settle();
    release();
    await expect(renewing).resolves.toBe(true);
    // Between a browser's processes the lock is free before the new token (or the localStorage
    // mark) reaches the other tab: it renews right now, still holding the old token.
    localStorage.clear();
    const waiting = second.renew();

    await expect(waiting).resolves.toBe(true);
    expect(requests).toHaveLength(2);
    expect(second.getState().token?.jwt).toBe(first.getState().token?.jwt);
  });

  it('shares one renewal without Web Locks too, through the lease', async () => {
    const { requests, release } = renewalHeldBack();
    const { first, second } = twoTabs({ locks: null });
    await first.authenticate(EMAIL);
    await settle();

    const renewing = first.renew();
    await settle();
    const waiting = second.renew();
    release();

    await expect(Promise.all([renewing, waiting])).resolves.toEqual([true, true]);
    expect(requests).toHaveLength(2);
    expect(second.getState().token?.jwt).toBe(first.getState().token?.jwt);
  });

  it('signs every tab out when one signs out', async () => {
    const { state } = installFakeSdk();
    const { requests } = mockFetch({
      'POST /generate-jwt': tokenRoute(),
      'DELETE /api/session': () => new Response(null, { status: 204 }),
    });
    const { first, second } = twoTabs();
    await first.authenticate(EMAIL);
    await settle();
    expect(second.getState().status).toBe('authenticated');

    await second.logout();
    await settle();

    expect(first.getState()).toMatchObject({ status: 'idle', token: null });
    expect(state.token).toBeNull();
    expect(requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
    // Signed out there means no renewal here.
    expect(await first.renew()).toBe(false);
  });

  it('leaves the other tabs alone once disconnected', async () => {
    installFakeSdk();
    mockFetch({ 'POST /generate-jwt': tokenRoute() });
    const { first, second } = twoTabs();
    second.disconnect();

    await first.authenticate(EMAIL);
    await settle();

    expect(second.getState().status).toBe('idle');
  });
});

describe('tabs as one, with the server reusing its token', () => {
  it('shares one renewal when the renewal hands back the very token both tabs hold', async () => {
    installFakeSdk();
    const reply = tokenReply(EMAIL, UUID, 3600);
    const held = deferred<Response>();
    let calls = 0;
    const { requests } = mockFetch({
      'POST /generate-jwt': () => (++calls === 1 ? jsonResponse(200, reply) : held.promise),
    });
    const locks = sharedLocks();
    const first = setup({ channelName: 'synerise-auth-reuse', locks }).auth;
    const second = setup({ channelName: 'synerise-auth-reuse', locks }).auth;
    await first.authenticate(EMAIL);
    await settle();

    const both = Promise.all([first.renew(), second.renew()]);
    await settle();
    held.resolve(jsonResponse(200, reply));

    await expect(both).resolves.toEqual([true, true]);
    expect(requests).toHaveLength(2);
    expect(second.getState().token?.jwt).toBe(reply.jwt);
  });
});
