// The core against a token endpoint of the shop's own: another origin, its credentials and
// headers, its refusals, and sign-out for a shop that ends its own session.
import { afterEach, describe, expect, it } from 'vitest';

import { installFakeSdk, jsonResponse, mockFetch, removeSdk, tokenReply } from '../../../test/helpers';
import { createSyneriseAuth, signedOut, type SyneriseAuth, type SyneriseAuthFailure, type SyneriseAuthOptions } from './auth';

const EMAIL = 'ann@example.com';
const UUID = '6f1c2b0e-8c1d-5f3a-9b7e-2d4c6a8e0f12';
const SHOP_ROUTE = 'https://auth.shop.example/api/synerise-token';

const created: SyneriseAuth[] = [];

function setup(options: SyneriseAuthOptions = {}) {
  const auth = createSyneriseAuth({ channelName: null, ...options });
  created.push(auth);
  const failures: SyneriseAuthFailure[] = [];
  auth.onFailure((failure) => failures.push(failure));
  return { auth, failures };
}

const issue = () => jsonResponse(200, tokenReply(EMAIL, UUID, 3600));
const settle = () => new Promise((done) => setTimeout(done, 20));

afterEach(() => {
  for (const auth of created.splice(0)) auth.disconnect();
  removeSdk();
});

describe('a token endpoint of the shop', () => {
  it('is asked as today by default: /generate-jwt, same-origin, JSON, no extra header', async () => {
    installFakeSdk();
    const { requests } = mockFetch({ 'POST /generate-jwt': issue });
    const { auth } = setup();
    expect(await auth.authenticate(EMAIL)).toBe(true);
    expect(requests).toEqual([
      {
        url: '/generate-jwt',
        method: 'POST',
        credentials: 'same-origin',
        body: { email: EMAIL },
        headers: { accept: 'application/json', 'content-type': 'application/json' },
      },
    ]);
  });

  it('may be on another origin, with its cookie (credentials: include)', async () => {
    const { state } = installFakeSdk();
    const { requests } = mockFetch({ [`POST ${SHOP_ROUTE}`]: issue });
    const { auth } = setup({ tokenEndpoint: SHOP_ROUTE, credentials: 'include' });
    expect(await auth.authenticate(EMAIL)).toBe(true);
    expect(requests.map((r) => [r.url, r.credentials])).toEqual([[SHOP_ROUTE, 'include']]);
    expect(state.token).toBe(auth.getState().token?.jwt);
  });

  it('gets the headers from getHeaders for every request, renewals included', async () => {
    installFakeSdk();
    const { requests } = mockFetch({ 'POST /generate-jwt': issue });
    let n = 0;
    const { auth } = setup({
      getHeaders: async () => ({ Authorization: `Bearer id-token-${++n}`, 'X-CSRF-Token': 'csrf' }),
    });
    await auth.authenticate(EMAIL);
    await auth.renew();
    expect(requests.map((r) => r.headers.authorization)).toEqual(['Bearer id-token-1', 'Bearer id-token-2']);
    expect(requests.every((r) => r.headers['x-csrf-token'] === 'csrf' && r.headers['content-type'] === 'application/json')).toBe(true);
  });

  it('reports a getHeaders that fails, and sends nothing', async () => {
    installFakeSdk();
    const { requests } = mockFetch({});
    const { auth, failures } = setup({
      getHeaders: () => Promise.reject(new Error('the identity provider is down')),
    });
    expect(await auth.authenticate(EMAIL)).toBe(false);
    await settle();
    expect(requests).toHaveLength(0);
    expect(failures).toMatchObject([{ reason: 'headers_unavailable', status: 0, code: null, during: 'authenticate' }]);
    expect(failures[0]?.message).toContain('the identity provider is down');
    expect(auth.getState()).toMatchObject({ status: 'error', error: failures[0]?.message });
  });

  it('reports a getHeaders that throws during a renewal, and keeps the token it has', async () => {
    const { state } = installFakeSdk();
    mockFetch({ 'POST /generate-jwt': issue });
    let broken = false;
    const { auth, failures } = setup({
      getHeaders: () => {
        if (broken) throw new Error('no ID token');
        return {};
      },
    });
    await auth.authenticate(EMAIL);
    broken = true;
    expect(await auth.renew()).toBe(false);
    await settle();
    expect(failures).toMatchObject([{ reason: 'headers_unavailable', during: 'renew' }]);
    expect(state.token).toBe(auth.getState().token?.jwt);
  });

  it("clears the tracker's token when the shop's endpoint says nobody is signed in (401)", async () => {
    const { state, client } = installFakeSdk();
    let signedIn = true;
    mockFetch({
      [`POST ${SHOP_ROUTE}`]: () =>
        signedIn ? issue() : jsonResponse(401, { error: 'Sign in first.', code: 'not_signed_in' }),
    });
    const { auth, failures } = setup({ tokenEndpoint: SHOP_ROUTE });
    await auth.authenticate(EMAIL);
    expect(state.token).not.toBeNull();

    signedIn = false;
    expect(await auth.renew()).toBe(false);
    expect(client.setAccessToken).toHaveBeenLastCalledWith(null);
    expect(state.token).toBeNull();
    expect(auth.getState()).toMatchObject({ status: 'error', token: null });

    // and when asked again for a customer, a 401 leaves no token behind either
    signedIn = true;
    await auth.authenticate(EMAIL);
    signedIn = false;
    expect(await auth.authenticate('bob@example.com')).toBe(false);
    expect(state.token).toBeNull();
    await settle();
    expect(failures.map((f) => `${f.reason} ${f.code} ${f.during}`)).toEqual([
      'not_signed_in not_signed_in renew',
      'not_signed_in not_signed_in authenticate',
    ]);
  });
});

describe('sign-out for a shop that ends its own session', () => {
  it('sessionEndpoint: null clears the token with no server call', async () => {
    const { state } = installFakeSdk();
    const { requests } = mockFetch({ 'POST /generate-jwt': issue });
    const { auth } = setup({ sessionEndpoint: null });
    await auth.authenticate(EMAIL);
    expect(await auth.logout()).toBe(true);
    expect(requests.map((r) => r.method)).toEqual(['POST']);
    expect(state.token).toBeNull();
    expect(auth.getState()).toMatchObject({ status: 'idle', token: null, error: null });
  });

  it("calls the shop's own route with its credentials and headers", async () => {
    installFakeSdk();
    const logoutRoute = 'https://auth.shop.example/api/logout';
    const { requests } = mockFetch({
      'POST /generate-jwt': issue,
      [`DELETE ${logoutRoute}`]: () => new Response(null, { status: 204 }),
    });
    const { auth } = setup({ sessionEndpoint: logoutRoute, credentials: 'include', getHeaders: () => ({ 'X-CSRF-Token': 'csrf' }) });
    await auth.authenticate(EMAIL);
    expect(await auth.logout()).toBe(true);
    expect(requests[1]).toMatchObject({ method: 'DELETE', url: logoutRoute, credentials: 'include', headers: { 'x-csrf-token': 'csrf' } });
  });

  it('still clears the token when getHeaders fails on sign-out, and reports it', async () => {
    const { state } = installFakeSdk();
    const { requests } = mockFetch({ 'POST /generate-jwt': issue });
    let broken = false;
    const { auth, failures } = setup({
      getHeaders: () => {
        if (broken) throw new Error('no CSRF token');
        return {};
      },
    });
    await auth.authenticate(EMAIL);
    broken = true;
    expect(await auth.logout()).toBe(false);
    await settle();
    expect(requests).toHaveLength(1);
    expect(state.token).toBeNull();
    expect(failures).toMatchObject([{ reason: 'headers_unavailable', during: 'logout' }]);
  });

  it("signedOut() clears this page's tracker and every tab's token, with no server call", async () => {
    const { state } = installFakeSdk();
    const { requests } = mockFetch({ 'POST /generate-jwt': issue });
    const tab = createSyneriseAuth({ channelName: 'synerise-auth-signed-out' });
    created.push(tab);
    await tab.authenticate(EMAIL);
    expect(tab.getState().status).toBe('authenticated');

    expect(await signedOut({ channelName: 'synerise-auth-signed-out' })).toBe(true);
    await settle();
    expect(requests).toHaveLength(1);
    expect(state.token).toBeNull();
    expect(tab.getState()).toMatchObject({ status: 'idle', token: null });
  });

  it('signedOut() says so when the tracker never loads', async () => {
    mockFetch({});
    expect(await signedOut({ channelName: null, sdkTimeoutMs: 50 })).toBe(false);
  });
});
