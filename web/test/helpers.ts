/**
 * Test doubles shared by the unit tests: a fake `window.SR` that records what it was told, a
 * mocked fetch that answers per route, and unsigned JWTs (the browser never checks signatures).
 */
import { vi } from 'vitest';

import type { SyneriseSdk } from '@synerise-auth/browser';

function base64url(text: string): string {
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A JWT-shaped string with the given claims; its signature is not a real one. */
export function makeJwt(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT' }): string {
  return `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}.c2lnbmF0dXJl`;
}

export interface FakeSdkState {
  uuid: string;
  identityHash: string | null;
  token: string | null;
}

/**
 * Puts a fake tracker on `window.SR` whose identity hash is `hash:<email>`; with `jwt`, it also
 * has the methods reference's `SR.jwt.getAccessToken()` and `SR.jwt.clearAccessToken()`.
 */
export function installFakeSdk(initial: Partial<FakeSdkState> = {}, { jwt: withJwt = false } = {}) {
  const state: FakeSdkState = { uuid: 'anonymous-uuid', identityHash: null, token: null, ...initial };
  const client = {
    hashIdentity: vi.fn((email: string) => `hash:${email.trim()}`),
    getIdentityHash: vi.fn(() => state.identityHash),
    setUuidAndIdentityHash: vi.fn((uuid: string, identityHash: string) => {
      state.uuid = uuid;
      state.identityHash = identityHash;
    }),
    setAccessToken: vi.fn((token: string | null) => {
      state.token = token;
    }),
  };
  const jwt = withJwt
    ? {
        getAccessToken: vi.fn(() => state.token),
        clearAccessToken: vi.fn(() => {
          state.token = null;
        }),
      }
    : undefined;
  const sdk: SyneriseSdk = jwt ? { client, jwt } : { client };
  window.SR = sdk;
  return { state, client, jwt };
}

export function removeSdk() {
  delete window.SR;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

export interface RecordedRequest {
  url: string;
  method: string;
  credentials: RequestCredentials | undefined;
  body: unknown;
  headers: Record<string, string>;
}

type Route = (request: RecordedRequest) => Response | Promise<Response>;

/**
 * Replaces `fetch` with one that records every request and answers with the route for
 * `METHOD path`; an unknown route fails the test loudly.
 */
export function mockFetch(routes: Record<string, Route>) {
  const requests: RecordedRequest[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (init.method ?? 'GET').toUpperCase();
    const request: RecordedRequest = {
      url,
      method,
      credentials: init.credentials,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      headers: Object.fromEntries(new Headers(init.headers).entries()),
    };
    requests.push(request);
    const route = routes[`${method} ${url}`];
    if (!route) throw new Error(`unexpected request in test: ${method} ${url}`);
    return route(request);
  });
  vi.stubGlobal('fetch', fetchMock);
  return { requests, fetchMock };
}

/** A promise with its resolve function outside, to hold a response back until the test says so. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The reply of `/generate-jwt` for a customer, with a token expiring `ttlSeconds` from now. */
export function tokenReply(email: string, uuid: string, ttlSeconds: number, extra: Record<string, unknown> = {}) {
  const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
  const jwt = makeJwt({ email, uuid, exp, ...extra });
  return { jwt, uuid, expiresAt: new Date(exp * 1000).toISOString() };
}
