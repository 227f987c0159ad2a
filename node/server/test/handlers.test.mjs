// Both token-endpoint handlers over real HTTP: the Express middleware in a real Express app, and
// the Next.js route handler given web Requests by node:http as Next.js's server does (apps.mjs).
// The same cases run against each: the reply, its headers, and every refusal with its status and
// code. The contract checker runs against both in contract.test.mjs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { importSPKI, jwtVerify } from 'jose';

import { Issuer, PerMinute } from '@synerise-auth/server';
import { HANDLERS } from './apps.mjs';
import { keyFile } from './helpers.mjs';

const SALT = 'a-shop-salt';

for (const [name, mount] of HANDLERS) {
  describe(name, () => {
    const setup = async (t, extra = {}) => {
      const issuer = new Issuer({ key: await keyFile(t), salt: SALT });
      const base = await mount(t, { issuer, limit: new PerMinute(3), ...extra });
      const post = (headers = {}, body = undefined) =>
        fetch(`${base}/api/synerise-token`, { method: 'POST', headers, body });
      return { issuer, base, post };
    };

    test('a signed-in customer gets {jwt, uuid, expiresAt} with no-store and Date', async (t) => {
      const { issuer, post } = await setup(t);
      const before = Date.now();
      const response = await post(
        { 'x-test-customer': 'ann@example.com', 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
        JSON.stringify({ email: 'ann@example.com' }),
      );
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.match(response.headers.get('content-type'), /^application\/json/);
      const date = Date.parse(response.headers.get('date'));
      assert.ok(Math.abs(date - before) < 5_000, response.headers.get('date'));
      const body = await response.json();
      assert.deepEqual(Object.keys(body).sort(), ['expiresAt', 'jwt', 'uuid']);
      assert.equal(body.uuid, issuer.customerUuid('ann@example.com'));
      const { payload } = await jwtVerify(body.jwt, await importSPKI(issuer.publicKey('pem'), 'RS256'), { algorithms: ['RS256'] });
      assert.equal(payload.email, 'ann@example.com');
      assert.equal(new Date(body.expiresAt).getTime(), payload.exp * 1000);
    });

    test('no body at all is fine for a signed-in customer', async (t) => {
      const { post } = await setup(t);
      const response = await post({ 'x-test-customer': 'ann@example.com' });
      assert.equal(response.status, 200);
    });

    const refusals = [
      ['signed out', {}, undefined, 401, 'not_signed_in'],
      ['another site', { 'x-test-customer': 'ann@example.com', 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, undefined, 403, 'cross_site_request'],
      ['an Origin of another host', { 'x-test-customer': 'ann@example.com', origin: 'https://evil.example' }, undefined, 403, 'cross_site_request'],
      ['another customer\'s email', { 'x-test-customer': 'ann@example.com', 'content-type': 'application/json' }, '{"email":"bob@example.com"}', 403, 'email_mismatch'],
      ['a body that is not JSON', { 'x-test-customer': 'ann@example.com', 'content-type': 'application/json' }, '{"email":', 400, 'malformed_json'],
      ['a JSON array', { 'x-test-customer': 'ann@example.com', 'content-type': 'application/json' }, '[1]', 400, 'invalid_body'],
      ['a form body', { 'x-test-customer': 'ann@example.com', 'content-type': 'application/x-www-form-urlencoded' }, 'email=a', 415, 'unsupported_media_type'],
      ['a body past 16 KiB', { 'x-test-customer': 'ann@example.com', 'content-type': 'application/json' }, JSON.stringify({ pad: 'x'.repeat(20_000) }), 413, 'payload_too_large'],
      ['a session email that is no email', { 'x-test-customer': 'not-an-email' }, undefined, 400, 'invalid_email'],
    ];
    for (const [what, headers, body, status, code] of refusals) {
      test(`refuses ${what}: ${status} ${code}`, async (t) => {
        const { post } = await setup(t);
        const response = await post(headers, body);
        assert.equal(response.status, status);
        assert.equal(response.headers.get('cache-control'), 'no-store');
        assert.ok(response.headers.get('date'));
        const json = await response.json();
        assert.equal(json.code, code);
        assert.equal(typeof json.error, 'string');
      });
    }

    test('an allowed origin may ask', async (t) => {
      const { post } = await setup(t, { allowedOrigins: ['https://shop.example'] });
      const response = await post({ 'x-test-customer': 'ann@example.com', 'sec-fetch-site': 'cross-site', origin: 'https://shop.example' });
      assert.equal(response.status, 200);
    });

    test('a session that cannot be read is a 503 with Retry-After', async (t) => {
      const seen = [];
      const { post } = await setup(t, { onError: (e) => seen.push(e) });
      const response = await post({ 'x-test-customer': 'session-store-down' });
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('retry-after'), '1');
      assert.equal((await response.json()).code, 'storage_unavailable');
      assert.equal(seen.length, 1);
    });

    test('per customer, past the limit: 429 rate_limited with Retry-After; others unaffected', async (t) => {
      const { post } = await setup(t);
      for (let i = 0; i < 3; i += 1) assert.equal((await post({ 'x-test-customer': 'ann@example.com' })).status, 200);
      const refused = await post({ 'x-test-customer': 'Ann@Example.com' });
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      assert.equal((await refused.json()).code, 'rate_limited');
      assert.equal((await post({ 'x-test-customer': 'bob@example.com' })).status, 200);
    });

    test('an issuer given as a function is made on the first request, once; one that throws is tried again', async (t) => {
      const key = await keyFile(t);
      let calls = 0;
      let keyPath;
      const seen = [];
      const base = await mount(t, {
        issuer: () => {
          calls += 1;
          return new Issuer({ key: keyPath, salt: SALT });
        },
        onError: (e) => seen.push(e),
      });
      assert.equal(calls, 0, 'nothing is made before a request');
      const post = () => fetch(`${base}/api/synerise-token`, { method: 'POST', headers: { 'x-test-customer': 'ann@example.com' } });
      // No key yet (as at build time): the request is answered 500, and the error goes to onError.
      const failed = await post();
      assert.equal(failed.status, 500);
      assert.equal((await failed.json()).code, 'internal_error');
      assert.ok(seen[0] instanceof TypeError && /`key` must be/.test(seen[0].message), String(seen[0]));
      keyPath = key;
      assert.equal((await post()).status, 200);
      assert.equal((await post()).status, 200);
      assert.equal(calls, 2, 'made again after the failure, then kept');
    });

    test('GET is refused: 405 method_not_allowed', async (t) => {
      const { base } = await setup(t);
      const response = await fetch(`${base}/api/synerise-token`, { headers: { 'x-test-customer': 'ann@example.com' } });
      assert.equal(response.status, 405);
      assert.equal((await response.json()).code, 'method_not_allowed');
    });
  });
}
