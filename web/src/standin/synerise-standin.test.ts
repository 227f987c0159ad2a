// The SDK stand-in (public/synerise-standin.js) is a plain script; these tests run its source as
// the browser would and check what the demo, the hook and the browser tests rely on.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { jsonResponse, makeJwt, mockFetch } from '../../test/helpers';
import type { Verdict } from '../demo/verdicts';

// Vitest runs from web/ (its root); jsdom gives modules an http: import.meta.url, so no URL here.
const source = readFileSync(resolve(process.cwd(), 'public/synerise-standin.js'), 'utf8');
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SERVER_UUID = '3f0c6a9e-2b7d-5c1e-8a4f-9d6b2e0c7a15';

interface Standin {
  client: {
    hashIdentity(email: string): string;
    getIdentityHash(): string | null;
    setUuidAndIdentityHash(uuid: string, hash: string): void;
    setAccessToken(token: string | null): void;
    getUuid(): string;
  };
  jwt: { getAccessToken(): string | null; clearAccessToken(): void };
  event: {
    pageVisit(): Promise<Verdict>;
    trackCustomEvent(action: string, params: Record<string, unknown>, label: string): Promise<Verdict>;
    sendFormData(label: string, params: Record<string, unknown>): Promise<Verdict>;
  };
  standin: { state(): { uuid: string; identityHash: string | null; accessToken: string | null } };
}

function load(): Standin {
  delete window.SR;
  new Function(source)();
  return window.SR as unknown as Standin;
}

/**
 * Synerise's identity hash computed apart from the stand-in, the way the Magento integration's PHP
 * does it: unbounded integers brought back into a signed 32-bit range at every step.
 */
function phpHashString(text: string): string {
  let h = 0n;
  for (const byte of Buffer.from(text, 'utf8')) {
    h = (31n * h + BigInt(byte)) % 4294967296n;
    if (h > 2147483647n) h -= 4294967296n;
    else if (h < -2147483648n) h += 4294967296n;
  }
  return h.toString();
}

function clearCookies() {
  for (const part of document.cookie.split(';')) {
    const name = part.trim().split('=')[0];
    if (name) document.cookie = `${name}=; path=/; max-age=0`;
  }
}

beforeEach(() => {
  localStorage.clear();
  clearCookies();
});

afterEach(() => {
  delete window.SR;
});

describe('the SDK stand-in', () => {
  it('keeps one anonymous v4 uuid across page loads', () => {
    const first = load().client.getUuid();
    const second = load().client.getUuid();

    expect(first).toMatch(UUID_V4);
    expect(second).toBe(first);
  });

  it("hashes an identity with Synerise's hash, the way the server normalises emails", () => {
    const sr = load();

    expect(sr.client.hashIdentity('demo@example.com')).toBe(phpHashString('demo@example.com'));
    expect(sr.client.hashIdentity('  Ann@Example.COM ')).toBe(phpHashString('Ann@example.com'));
    expect(sr.client.hashIdentity('ann@example.com')).not.toBe(sr.client.hashIdentity('Ann@example.com'));
    // Multi-byte characters are hashed as their UTF-8 bytes, and long input wraps many times.
    for (const email of ['zażółć@gęślą.pl', `${'x'.repeat(120)}@example.com`]) {
      expect(sr.client.hashIdentity(email)).toBe(phpHashString(email));
    }
    // The Rust test suite's vector for the same function.
    expect(sr.client.hashIdentity('customer@synerise.com')).toBe('-374943845');
  });

  it('takes the uuid and identity hash the server handed over in a cookie, and deletes it', () => {
    const hash = phpHashString('ann@example.com');
    document.cookie = `_snrs_reset_uuid_and_identity_hash=${SERVER_UUID}:${hash}; path=/`;
    const sr = load();

    expect(sr.client.getUuid()).toBe(SERVER_UUID);
    expect(sr.client.getIdentityHash()).toBe(hash);
    expect(document.cookie).not.toContain('_snrs_reset_uuid_and_identity_hash');
    // Kept in the tracker's own uuid cookie, which the server checks at the next sign-in.
    expect(document.cookie).toContain(`_snrs_uuid=${SERVER_UUID}`);
  });

  it('takes a uuid alone from _snrs_reset_uuid, and ignores a malformed handover', () => {
    document.cookie = `_snrs_reset_uuid=${SERVER_UUID}; path=/`;
    expect(load().client.getUuid()).toBe(SERVER_UUID);
    expect(document.cookie).not.toContain('_snrs_reset_uuid=');

    document.cookie = '_snrs_reset_uuid_and_identity_hash=not-a-uuid:12; path=/';
    const sr = load();
    expect(sr.client.getUuid()).toBe(SERVER_UUID);
    expect(document.cookie).not.toContain('_snrs_reset_uuid_and_identity_hash');
  });

  it('reads and clears its token with the calls the methods reference names (SR.jwt)', () => {
    const sr = load();
    expect(sr.jwt.getAccessToken()).toBeNull();
    const token = makeJwt({ exp: 1 });
    sr.client.setAccessToken(token);
    expect(sr.jwt.getAccessToken()).toBe(token);
    sr.jwt.clearAccessToken();
    expect(sr.jwt.getAccessToken()).toBeNull();
    expect(sr.standin.state().accessToken).toBeNull();
  });

  it('takes the uuid and identity hash, in that order, and keeps them across loads', () => {
    const sr = load();
    const hash = sr.client.hashIdentity('demo@example.com');

    sr.client.setUuidAndIdentityHash(SERVER_UUID, hash);
    const reloaded = load();

    expect(reloaded.client.getUuid()).toBe(SERVER_UUID);
    expect(reloaded.client.getIdentityHash()).toBe(hash);
  });

  it("refuses the guide's argument order (identity hash first)", () => {
    const sr = load();
    const hash = sr.client.hashIdentity('demo@example.com');

    expect(() => sr.client.setUuidAndIdentityHash(hash, SERVER_UUID)).toThrow(/first argument must be a UUID/);
  });

  it('sends an anonymous event without a token and returns the verdict', async () => {
    const { requests } = mockFetch({ 'POST /gate/v1/events': () => jsonResponse(202, { accepted: true }) });
    const sr = load();
    const announced: Verdict[] = [];
    window.addEventListener('synerise:verdict', (e) => announced.push((e as CustomEvent<Verdict>).detail), { once: true });

    const verdict = await sr.event.pageVisit();

    expect(requests[0]?.body).toMatchObject({
      action: 'page.visit',
      client: { uuid: sr.client.getUuid() },
      params: { url: window.location.href },
    });
    expect(requests[0]?.headers.authorization).toBeUndefined();
    expect(requests[0]?.credentials).toBe('omit');
    expect(verdict).toMatchObject({ action: 'page.visit', status: 202, accepted: true, reason: null, tokenSent: null });
    expect(announced).toEqual([verdict]);
  });

  it('sends the token it holds and reports a refusal with its reason', async () => {
    const { requests } = mockFetch({
      'POST /gate/v1/events': () =>
        jsonResponse(401, { accepted: false, reason: 'expired', detail: 'The token expired at 12:00:00 UTC.' }),
    });
    const sr = load();
    const jwt = makeJwt({ uuid: SERVER_UUID, email: 'demo@example.com', exp: 1 });
    sr.client.setUuidAndIdentityHash(SERVER_UUID, sr.client.hashIdentity('demo@example.com'));
    sr.client.setAccessToken(jwt);

    const verdict = await sr.event.sendFormData('newsletter', { email: 'demo@example.com' });

    expect(requests[0]?.headers.authorization).toBe(`Bearer ${jwt}`);
    expect(requests[0]?.body).toEqual({
      action: 'form.submit',
      label: 'newsletter',
      client: { uuid: SERVER_UUID },
      params: { email: 'demo@example.com' },
    });
    expect(verdict).toMatchObject({
      status: 401,
      accepted: false,
      reason: 'expired',
      detail: 'The token expired at 12:00:00 UTC.',
      tokenSent: jwt,
    });
  });

  it('sends custom events with their action, params and label', async () => {
    const { requests } = mockFetch({ 'POST /gate/v1/events': () => jsonResponse(202, { accepted: true }) });
    const sr = load();

    await sr.event.trackCustomEvent('demo.buttonClicked', { button: 'blue' }, 'Clicked the blue button');

    expect(requests[0]?.body).toMatchObject({
      action: 'demo.buttonClicked',
      label: 'Clicked the blue button',
      params: { button: 'blue' },
    });
  });

  it('stops sending the token once it is cleared', async () => {
    const { requests } = mockFetch({ 'POST /gate/v1/events': () => jsonResponse(202, { accepted: true }) });
    const sr = load();
    sr.client.setAccessToken(makeJwt({ exp: 1 }));
    sr.client.setAccessToken(null);

    await sr.event.pageVisit();

    expect(requests[0]?.headers.authorization).toBeUndefined();
    expect(sr.standin.state().accessToken).toBeNull();
  });

  it('rejects something that is not a token', () => {
    const sr = load();
    expect(() => sr.client.setAccessToken('hello')).toThrow(TypeError);
  });

  it("reports a server's own refusal (no gate there) with its code and sentence", async () => {
    mockFetch({ 'POST /gate/v1/events': () => jsonResponse(404, { error: 'not found', code: 'not_found' }) });
    const sr = load();

    const verdict = await sr.event.pageVisit();

    expect(verdict).toMatchObject({ status: 404, accepted: false, reason: 'not_found', detail: 'not found' });
  });

  it('turns an unreachable gate into a verdict instead of an exception', async () => {
    mockFetch({
      'POST /gate/v1/events': () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const sr = load();

    const verdict = await sr.event.pageVisit();

    expect(verdict).toMatchObject({ status: 0, accepted: false, reason: 'network_error' });
    expect(verdict.detail).toMatch(/Failed to fetch/);
  });

  it('does not replace a tracker that is already on the page', () => {
    const real = { client: {} };
    (window as unknown as { SR: unknown }).SR = real;
    const warn = console.warn;
    console.warn = () => {};
    try {
      new Function(source)();
    } finally {
      console.warn = warn;
    }
    expect(window.SR).toBe(real);
  });
});
