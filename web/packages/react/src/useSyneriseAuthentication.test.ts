import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { deferred, installFakeSdk, jsonResponse, makeJwt, mockFetch, removeSdk, tokenReply } from '../../../test/helpers';
import { useSyneriseAuthentication, type UseSyneriseAuthenticationOptions } from './useSyneriseAuthentication';

const EMAIL = 'ann@example.com';
const UUID = '6f1c2b0e-8c1d-5f3a-9b7e-2d4c6a8e0f12';

function setup(options: UseSyneriseAuthenticationOptions = {}) {
  return renderHook(() => useSyneriseAuthentication(options));
}

/** Serves `/generate-jwt` with a new token each call (`n` makes each one distinct). */
function tokenRoute(ttlSeconds = 3600, uuid = UUID) {
  let n = 0;
  return () => jsonResponse(200, tokenReply(EMAIL, uuid, ttlSeconds, { n: ++n }));
}

type Rendered = ReturnType<typeof setup>['result'];

/** `authenticate(email)` inside `act`; what it resolved to. */
async function authenticate(result: Rendered, email = EMAIL): Promise<boolean> {
  let ok = false;
  await act(async () => {
    ok = await result.current.authenticate(email);
  });
  return ok;
}

/** Advances the fake timers by `ms` inside `act`, running what falls due. */
async function advance(ms: number): Promise<void> {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

afterEach(() => {
  removeSdk();
  vi.useRealTimers();
});

describe('authenticate', () => {
  it('fetches a token for a new identity and hands uuid, identity hash and token to the SDK', async () => {
    const { client, state } = installFakeSdk();
    const { requests } = mockFetch({ 'POST /generate-jwt': tokenRoute() });
    const { result } = setup();

    const ok = await authenticate(result);

    expect(ok).toBe(true);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'POST', credentials: 'same-origin', body: { email: EMAIL } });
    // The browser sends no uuid and no salt: the server derives the uuid.
    expect(Object.keys(requests[0]?.body as object)).toEqual(['email']);
    expect(client.setUuidAndIdentityHash).toHaveBeenCalledWith(UUID, `hash:${EMAIL}`);
    // Identity before token, so no event goes out with the token and the old uuid.
    const [identityCall] = client.setUuidAndIdentityHash.mock.invocationCallOrder;
    const [tokenCall] = client.setAccessToken.mock.invocationCallOrder;
    expect(identityCall).toBeLessThan(tokenCall as number);
    expect(state.token).toBe(result.current.token?.jwt);
    expect(result.current.status).toBe('authenticated');
    expect(result.current.error).toBeNull();
    expect(result.current.loading).toBe(false);
    expect(result.current.token).toMatchObject({ uuid: UUID, email: EMAIL });
    expect(result.current.token?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3500_000);
  });

  it('reuses the held token when the identity is the same and the token is still valid', async () => {
    installFakeSdk();
    const { requests } = mockFetch({ 'POST /generate-jwt': tokenRoute() });
    const { result } = setup();

    await authenticate(result);
    const first = result.current.token?.jwt;
    const again = await authenticate(result);

    expect(again).toBe(true);
    expect(requests).toHaveLength(1);
    expect(result.current.token?.jwt).toBe(first);
  });

  it('fetches a token when the SDK knows the identity but no token is held (after a reload)', async () => {
    const { client } = installFakeSdk({ identityHash: `hash:${EMAIL}`, uuid: UUID });
    const { requests } = mockFetch({ 'POST /generate-jwt': tokenRoute() });
    const { result } = setup();

    await authenticate(result);

    expect(requests).toHaveLength(1);
    expect(client.setAccessToken).toHaveBeenCalledTimes(1);
    expect(result.current.status).toBe('authenticated');
  });

  it('fetches a new token when another customer signs in', async () => {
    const { state } = installFakeSdk();
    const { requests } = mockFetch({
      'POST /generate-jwt': (req) => {
        const email = (req.body as { email: string }).email;
        return jsonResponse(200, tokenReply(email, email === EMAIL ? UUID : 'b0b0b0b0-0000-5000-8000-000000000000', 3600));
      },
    });
    const { result } = setup();

    await authenticate(result);
    await act(async () => {
      await result.current.authenticate('bob@example.com');
    });

    expect(requests.map((r) => (r.body as { email: string }).email)).toEqual([EMAIL, 'bob@example.com']);
    expect(state.identityHash).toBe('hash:bob@example.com');
    expect(state.uuid).toBe('b0b0b0b0-0000-5000-8000-000000000000');
    expect(result.current.token?.email).toBe('bob@example.com');
  });

  it('uses the token endpoint given as an option', async () => {
    installFakeSdk();
    const { requests } = mockFetch({ 'POST /auth/synerise-token': tokenRoute() });
    const { result } = setup({ tokenEndpoint: '/auth/synerise-token' });

    await authenticate(result);

    expect(requests[0]?.url).toBe('/auth/synerise-token');
    expect(result.current.status).toBe('authenticated');
  });

  it("passes a shop's endpoint options through: another origin, its cookie, its headers", async () => {
    installFakeSdk();
    const route = 'https://auth.shop.example/api/synerise-token';
    const { requests } = mockFetch({ [`POST ${route}`]: tokenRoute() });
    const { result } = setup({
      tokenEndpoint: route,
      credentials: 'include',
      getHeaders: async () => ({ Authorization: 'Bearer an-id-token' }),
    });

    expect(await authenticate(result)).toBe(true);

    expect(requests[0]).toMatchObject({ url: route, credentials: 'include', headers: { authorization: 'Bearer an-id-token' } });
  });

  it('reports a failing getHeaders through onFailure and error', async () => {
    installFakeSdk();
    const { requests } = mockFetch({});
    const onFailure = vi.fn();
    const { result } = setup({ getHeaders: () => Promise.reject(new Error('signed out of the provider')), onFailure });

    expect(await authenticate(result)).toBe(false);
    await act(async () => {
      await new Promise((done) => setTimeout(done, 10));
    });

    expect(requests).toHaveLength(0);
    expect(onFailure).toHaveBeenCalledWith(expect.objectContaining({ reason: 'headers_unavailable', during: 'authenticate' }));
    expect(result.current.error).toContain('signed out of the provider');
  });

  it("shows the server's sentence when it refuses, and hands nothing to the SDK", async () => {
    const { client } = installFakeSdk();
    mockFetch({
      'POST /generate-jwt': () =>
        jsonResponse(403, { error: 'You are signed in as another customer.', code: 'email_mismatch' }),
    });
    const { result } = setup();

    const ok = await authenticate(result);

    expect(ok).toBe(false);
    expect(result.current.error).toBe('You are signed in as another customer.');
    expect(result.current.status).toBe('error');
    expect(result.current.loading).toBe(false);
    expect(result.current.token).toBeNull();
    expect(client.setAccessToken).not.toHaveBeenCalled();
    expect(client.setUuidAndIdentityHash).not.toHaveBeenCalled();
  });

  it('describes the status when a refusal carries no JSON sentence', async () => {
    installFakeSdk();
    mockFetch({ 'POST /generate-jwt': () => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }) });
    const { result } = setup();

    await authenticate(result);

    expect(result.current.error).toBe('The token service answered HTTP 502.');
  });

  it('refuses a reply that is not a token', async () => {
    const { client } = installFakeSdk();
    mockFetch({ 'POST /generate-jwt': () => jsonResponse(200, { jwt: 'not-a-jwt', uuid: UUID, expiresAt: '2030-01-01T00:00:00Z' }) });
    const { result } = setup();

    const ok = await authenticate(result);

    expect(ok).toBe(false);
    expect(result.current.error).toMatch(/sent no valid token/);
    expect(client.setAccessToken).not.toHaveBeenCalled();
  });

  it('reports a network failure without throwing', async () => {
    const { client } = installFakeSdk();
    mockFetch({
      'POST /generate-jwt': () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const { result } = setup();

    const ok = await authenticate(result);

    expect(ok).toBe(false);
    expect(result.current.error).toBe('Could not reach the token service (Failed to fetch).');
    expect(result.current.status).toBe('error');
    expect(client.setAccessToken).not.toHaveBeenCalled();
  });

  it('gives up with a clear error when the SDK never loads', async () => {
    vi.useFakeTimers();
    removeSdk();
    const { requests } = mockFetch({ 'POST /generate-jwt': tokenRoute() });
    const { result } = setup({ sdkTimeoutMs: 2000 });

    let outcome: Promise<boolean> | undefined;
    act(() => {
      outcome = result.current.authenticate(EMAIL);
    });
    await advance(1900);
    expect(result.current.status).toBe('authenticating');
    expect(result.current.loading).toBe(true);
    await advance(200);

    await expect(outcome).resolves.toBe(false);
    expect(result.current.error).toMatch(/Synerise tracker \(window\.SR\) did not load within 2 s/);
    expect(result.current.status).toBe('error');
    expect(requests).toHaveLength(0);
  });

  it('waits for an SDK that loads after the page', async () => {
    vi.useFakeTimers();
    removeSdk();
    mockFetch({ 'POST /generate-jwt': tokenRoute() });
    const { result } = setup({ sdkTimeoutMs: 5000 });

    let outcome: Promise<boolean> | undefined;
    act(() => {
      outcome = result.current.authenticate(EMAIL);
    });
    await advance(1000);
    const { state } = installFakeSdk();
    await advance(100);

    await expect(outcome).resolves.toBe(true);
    expect(state.token).not.toBeNull();
  });
});

describe('renewal', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  it('renews the token ahead of its expiry, by the configured margin', async () => {
    const { state } = installFakeSdk();
    const { requests } = mockFetch({ 'POST /generate-jwt': tokenRoute(300) });
    const { result } = setup({ renewMarginSeconds: 60 });

    await authenticate(result);
    const first = state.token;

    await advance(239_000);
    expect(requests).toHaveLength(1);

    await advance(1_000);
    expect(requests).toHaveLength(2);
    expect(state.token).not.toBe(first);
    expect(result.current.token?.jwt).toBe(state.token);

    // And again for the renewed token, 240 s after the renewal.
    await advance(240_000);
    expect(requests).toHaveLength(3);
  });

  it('renews a token shorter-lived than the margin halfway, not in a loop', async () => {
    installFakeSdk();
    const { requests } = mockFetch({ 'POST /generate-jwt': tokenRoute(40) });
    const { result } = setup({ renewMarginSeconds: 60 });

    await authenticate(result);
    await advance(19_000);
    expect(requests).toHaveLength(1);
    await advance(1_000);
    expect(requests).toHaveLength(2);
  });

  it('tries again later when a scheduled renewal fails, keeping the current token', async () => {
    const { state } = installFakeSdk();
    let fail = false;
    const issue = tokenRoute(300);
    const { requests } = mockFetch({
      'POST /generate-jwt': () => {
        if (fail) throw new TypeError('Failed to fetch');
        return issue();
      },
    });
    const { result } = setup({ renewMarginSeconds: 60, retryDelaySeconds: 15 });
    await authenticate(result);
    const first = state.token;

    fail = true;
    await advance(240_000);
    expect(requests).toHaveLength(2);
    expect(result.current.error).toMatch(/Could not reach the token service/);
    expect(state.token).toBe(first);
    expect(result.current.status).toBe('authenticated');

    fail = false;
    await advance(15_000);
    expect(requests).toHaveLength(3);
    expect(state.token).not.toBe(first);
    expect(result.current.error).toBeNull();
  });

  it("schedules by the server's clock when the browser's is hours off", async () => {
    installFakeSdk();
    const skewMs = -2 * 3600_000; // the server's clock is two hours behind this browser's
    const { requests } = mockFetch({
      'POST /generate-jwt': () => {
        const serverNow = Date.now() + skewMs;
        const exp = Math.floor(serverNow / 1000) + 300;
        const jwt = makeJwt({ email: EMAIL, uuid: UUID, exp });
        return jsonResponse(
          200,
          { jwt, uuid: UUID, expiresAt: new Date(exp * 1000).toISOString() },
          { Date: new Date(serverNow).toUTCString() },
        );
      },
    });
    const { result } = setup({ renewMarginSeconds: 60 });
    await authenticate(result);

    // By this browser's clock the token expired two hours ago; it must not renew in a loop.
    await advance(230_000);
    expect(requests).toHaveLength(1);
    await advance(11_000);
    expect(requests).toHaveLength(2);
  });

  it('waits as long as Retry-After says when a renewal is rate-limited', async () => {
    installFakeSdk();
    let limited = false;
    const issue = tokenRoute(3600);
    const { requests } = mockFetch({
      'POST /generate-jwt': () =>
        limited ? jsonResponse(429, { error: 'Too many requests.', code: 'rate_limited' }, { 'Retry-After': '90' }) : issue(),
    });
    const { result } = setup({ renewMarginSeconds: 300, retryDelaySeconds: 15 });
    await authenticate(result);

    limited = true;
    await advance(3300_000);
    expect(requests).toHaveLength(2);
    limited = false;
    await advance(89_000);
    expect(requests).toHaveLength(2);
    await advance(1_000);
    expect(requests).toHaveLength(3);
    expect(result.current.error).toBeNull();
  });

  it('clears the SDK token when a renewal finds the session gone', async () => {
    const { state } = installFakeSdk();
    let signedIn = true;
    const issue = tokenRoute(300);
    mockFetch({
      'POST /generate-jwt': () =>
        signedIn ? issue() : jsonResponse(401, { error: 'You are not signed in.', code: 'not_signed_in' }),
    });
    const { result } = setup();
    await authenticate(result);

    signedIn = false;
    await advance(240_000);

    expect(state.token).toBeNull();
    expect(result.current.token).toBeNull();
    expect(result.current.status).toBe('error');
    expect(result.current.error).toBe('You are not signed in.');
  });
});

describe('onTokenRefused', () => {
  it('renews once for refusals arriving together', async () => {
    const { state } = installFakeSdk();
    const issue = tokenRoute();
    const held = deferred<Response>();
    let calls = 0;
    const { requests } = mockFetch({
      'POST /generate-jwt': () => (++calls === 1 ? issue() : held.promise),
    });
    const { result } = setup();
    await authenticate(result);
    const refused = state.token;

    let outcomes: Promise<boolean[]> | undefined;
    act(() => {
      outcomes = Promise.all([
        result.current.onTokenRefused(refused),
        result.current.onTokenRefused(refused),
        result.current.onTokenRefused(),
      ]);
    });
    await act(async () => {
      held.resolve(issue());
      await outcomes;
    });

    await expect(outcomes).resolves.toEqual([true, true, true]);
    expect(requests).toHaveLength(2);
    expect(state.token).not.toBe(refused);
    expect(result.current.token?.jwt).toBe(state.token);
  });

  it('shares one request between concurrent renew() calls', async () => {
    installFakeSdk();
    const issue = tokenRoute();
    const held = deferred<Response>();
    let calls = 0;
    const { requests } = mockFetch({
      'POST /generate-jwt': () => (++calls === 1 ? issue() : held.promise),
    });
    const { result } = setup();
    await authenticate(result);

    let outcomes: Promise<boolean[]> | undefined;
    act(() => {
      outcomes = Promise.all([result.current.renew(), result.current.renew()]);
    });
    await act(async () => {
      held.resolve(issue());
      await outcomes;
    });

    await expect(outcomes).resolves.toEqual([true, true]);
    expect(requests).toHaveLength(2);
  });

  it('does not renew for a refusal of a token already replaced', async () => {
    installFakeSdk();
    const { requests } = mockFetch({ 'POST /generate-jwt': tokenRoute() });
    const { result } = setup();
    await authenticate(result);
    const old = result.current.token?.jwt;
    await act(async () => {
      await result.current.renew();
    });
    expect(requests).toHaveLength(2);

    let outcome: boolean | undefined;
    await act(async () => {
      outcome = await result.current.onTokenRefused(old);
    });

    expect(outcome).toBe(true);
    expect(requests).toHaveLength(2);
  });

  it('does not ask again when the renewal handed back the same refused token', async () => {
    installFakeSdk();
    const reply = tokenReply(EMAIL, UUID, 3600);
    const { requests } = mockFetch({ 'POST /generate-jwt': () => jsonResponse(200, reply) });
    const { result } = setup();
    await authenticate(result);

    let first: boolean | undefined;
    let second: boolean | undefined;
    await act(async () => {
      first = await result.current.onTokenRefused(reply.jwt);
    });
    await act(async () => {
      second = await result.current.onTokenRefused(reply.jwt);
    });

    expect(first).toBe(true);
    expect(second).toBe(false);
    expect(requests).toHaveLength(2);
  });

  it('does nothing when nobody is authenticated', async () => {
    installFakeSdk();
    const { requests } = mockFetch({});
    const { result } = setup();

    let outcome: boolean | undefined;
    await act(async () => {
      outcome = await result.current.onTokenRefused();
    });

    expect(outcome).toBe(false);
    expect(requests).toHaveLength(0);
  });
});

describe('logout', () => {
  it('destroys the session, clears the SDK token and stops renewing', async () => {
    vi.useFakeTimers();
    const { state, client } = installFakeSdk();
    const { requests } = mockFetch({
      'POST /generate-jwt': tokenRoute(300),
      'DELETE /api/session': () => new Response(null, { status: 204 }),
    });
    const { result } = setup();
    await authenticate(result);

    let ok: boolean | undefined;
    await act(async () => {
      ok = await result.current.logout();
    });

    expect(ok).toBe(true);
    const signOut = requests.find((r) => r.method === 'DELETE');
    expect(signOut).toMatchObject({ url: '/api/session', credentials: 'same-origin' });
    expect(client.setAccessToken).toHaveBeenLastCalledWith(null);
    expect(state.token).toBeNull();
    expect(result.current.token).toBeNull();
    expect(result.current.status).toBe('idle');

    await advance(600_000);
    expect(requests.filter((r) => r.url === '/generate-jwt')).toHaveLength(1);
  });

  it('with sessionEndpoint: null, clears the SDK token and calls no server', async () => {
    const { state } = installFakeSdk();
    const { requests } = mockFetch({ 'POST /generate-jwt': tokenRoute() });
    const { result } = setup({ sessionEndpoint: null });
    await authenticate(result);

    let ok: boolean | undefined;
    await act(async () => {
      ok = await result.current.logout();
    });

    expect(ok).toBe(true);
    expect(requests.map((r) => r.method)).toEqual(['POST']);
    expect(state.token).toBeNull();
    expect(result.current.status).toBe('idle');
  });

  it('clears the SDK token even when the server cannot be reached, and says so', async () => {
    const { state } = installFakeSdk();
    mockFetch({
      'POST /generate-jwt': tokenRoute(),
      'DELETE /api/session': () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const { result } = setup();
    await authenticate(result);

    let ok: boolean | undefined;
    await act(async () => {
      ok = await result.current.logout();
    });

    expect(ok).toBe(false);
    expect(state.token).toBeNull();
    expect(result.current.error).toMatch(/Could not reach the sign-in service/);
  });

  it('does not let a renewal that lands after sign-out put a token back', async () => {
    const { state } = installFakeSdk();
    const issue = tokenRoute();
    const late = deferred<Response>();
    let calls = 0;
    mockFetch({
      'POST /generate-jwt': () => (++calls === 1 ? issue() : late.promise),
      'DELETE /api/session': () => new Response(null, { status: 204 }),
    });
    const { result } = setup();
    await authenticate(result);

    let renewal: Promise<boolean> | undefined;
    act(() => {
      renewal = result.current.renew();
    });
    await act(async () => {
      await result.current.logout();
    });
    await act(async () => {
      late.resolve(issue());
      await renewal;
    });

    await expect(renewal).resolves.toBe(false);
    expect(state.token).toBeNull();
    expect(result.current.token).toBeNull();
  });
});

describe('onFailure', () => {
  it('calls the option once per failure, with its stable reason', async () => {
    installFakeSdk();
    mockFetch({ 'POST /generate-jwt': () => jsonResponse(429, { error: 'Slow down.', code: 'rate_limited' }, { 'Retry-After': '9' }) });
    const onFailure = vi.fn();
    const { result } = setup({ onFailure });

    await authenticate(result);
    await act(async () => {
      await Promise.resolve();
    });

    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(onFailure).toHaveBeenCalledWith(expect.objectContaining({ reason: 'rate_limited', retryAfterSeconds: 9, during: 'authenticate' }));
  });
});

