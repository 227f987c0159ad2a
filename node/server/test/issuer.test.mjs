// The issuer as a shop uses it, from the installed package: tokens checked by jose and by
// `synerise-auth verify`, Synerise's UUID vectors and identity hash, and every refusal's code.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { test } from 'node:test';

import { importSPKI, jwtVerify, decodeProtectedHeader, SignJWT, generateKeyPair } from 'jose';

import { Issuer, SyneriseAuthError, customerUuid, identityHash } from '@synerise-auth/server';
import { cli, keyFile, verifyWithCli } from './helpers.mjs';

const SALT = 'a-shop-salt';
const EMAIL = 'ann@example.com';

test('a token verifies with jose and with synerise-auth verify, with the claims Synerise reads', async (t) => {
  const key = await keyFile(t);
  const issuer = new Issuer({ key, salt: SALT, ttl: '1h' });
  const issued = await issuer.issue(EMAIL);

  assert.equal(issued.uuid, customerUuid(SALT, EMAIL));
  assert.equal(issued.uuid, issuer.customerUuid(EMAIL));
  const { payload, protectedHeader } = await jwtVerify(issued.jwt, await importSPKI(issuer.publicKey('pem'), 'RS256'), {
    algorithms: ['RS256'],
  });
  assert.deepEqual(protectedHeader, { alg: 'RS256', typ: 'JWT' });
  assert.equal(payload.email, EMAIL);
  assert.equal(payload.uuid, issued.uuid);
  assert.equal(payload.exp - payload.iat, 3600);
  assert.equal(issued.exp, payload.exp);
  assert.equal(issued.expiresAt, new Date(payload.exp * 1000).toISOString().replace('.000Z', 'Z'));

  const byCli = await verifyWithCli(key, issued.jwt);
  assert.equal(byCli.claims.email, EMAIL);
  assert.equal(byCli.claims.uuid, issued.uuid);

  const verified = issuer.verify(issued.jwt);
  assert.equal(verified.email, EMAIL);
  assert.equal(verified.uuid, issued.uuid);
  assert.equal(verified.exp, payload.exp);
});

test('the uuid may be given; the email is normalised as the service does', async (t) => {
  const issuer = new Issuer({ key: await keyFile(t), salt: SALT });
  const uuid = '345d4c8f-5aff-591d-a19c-1ca48923d9ee';
  const issued = await issuer.issue(' Ann@Example.COM ', { uuid });
  assert.equal(issued.uuid, uuid);
  assert.equal(issuer.verify(issued.jwt).email, 'Ann@example.com');
  assert.equal(issuer.ttlSeconds, 7 * 24 * 3600, 'seven days by default');
});

test("Synerise's published customer UUIDs and identity hashes", () => {
  assert.equal(customerUuid('someString', 'customer@synerise.com'), '345d4c8f-5aff-591d-a19c-1ca48923d9ee');
  assert.equal(customerUuid('yourdomain.com', 'customer@synerise.com'), '7023e164-2318-542c-9992-0b70cf4c5625');
  assert.equal(identityHash('a'), 97);
  assert.equal(identityHash('customer@synerise.com'), -374943845);
});

test('the one-line public key and the JWK set are those of the key', async (t) => {
  const key = await keyFile(t);
  const issuer = new Issuer({ key, salt: SALT, kid: 'thumbprint' });
  const line = issuer.publicKey();
  assert.match(line, /^-----BEGIN PUBLIC KEY-----[A-Za-z0-9+/=]+-----END PUBLIC KEY-----$/);
  assert.equal(line, (await cli(['public-key', '--key', key, '--format', 'single-line'])).trim());
  const { keys } = issuer.jwks();
  assert.equal(keys.length, 1);
  assert.equal(keys[0].kty, 'RSA');
  assert.equal(keys[0].kid, issuer.kid);
  const issued = await issuer.issue(EMAIL);
  assert.equal(decodeProtectedHeader(issued.jwt).kid, issuer.kid);
});

test('bad input is refused with stable codes, before anything is signed', async (t) => {
  const key = await keyFile(t);
  const issuer = new Issuer({ key, salt: SALT });
  const refused = (code, status) => (error) => {
    assert.ok(error instanceof SyneriseAuthError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    return true;
  };
  await assert.rejects(issuer.issue('not an email'), refused('invalid_email', 400));
  await assert.rejects(issuer.issue(EMAIL, { uuid: 'nope' }), refused('invalid_uuid', 400));
  assert.throws(() => issuer.customerUuid(''), refused('invalid_email', 400));
  assert.throws(() => issuer.publicKey('xml'), refused('invalid_format', 500));
  assert.throws(() => customerUuid('', EMAIL), refused('invalid_salt', 500));
  assert.throws(() => new Issuer({ key: `${key}.missing`, salt: SALT }), refused('key_set_invalid', 500));
  assert.throws(() => new Issuer({ key, salt: '' }), refused('invalid_salt', 500));
  // A missing option (an unset environment variable) is a TypeError naming it.
  assert.throws(() => new Issuer({ salt: SALT }), (error) => error instanceof TypeError
    && error.message === 'new Issuer({ key, salt }): `key` must be the path of a key file or key directory, a string (it is undefined)');
  assert.throws(() => new Issuer({ key, salt: 42 }), TypeError);
  assert.throws(() => new Issuer({ key, salt: SALT, ttl: 10 }), refused('invalid_ttl', 500));
  assert.throws(() => new Issuer({ key, salt: SALT, ttl: '31d' }), refused('invalid_ttl', 500));
});

test('verify refuses with the verifier codes', async (t) => {
  const issuer = new Issuer({ key: await keyFile(t), salt: SALT, ttl: 120 });
  const other = new Issuer({ key: await keyFile(t), salt: SALT });
  const { jwt } = await issuer.issue(EMAIL);
  const code = (c) => (error) => error instanceof SyneriseAuthError && error.code === c;

  assert.throws(() => issuer.verify('not.a.token'), code('malformed_token'));
  const [header, payload, signature] = jwt.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  const forged = Buffer.from(JSON.stringify({ ...claims, email: 'eve@example.com' })).toString('base64url');
  assert.throws(() => issuer.verify(`${header}.${forged}.${signature}`), code('bad_signature'));
  const others = (await other.issue(EMAIL)).jwt;
  assert.throws(() => issuer.verify(others), code('bad_signature'));
  assert.throws(() => issuer.verify(jwt, { now: issuer.now() + 120 + 31 }), code('expired'));
  const hs = await new SignJWT({ email: EMAIL, uuid: issuer.customerUuid(EMAIL) })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long'));
  assert.throws(() => issuer.verify(hs), code('wrong_algorithm'));
  const { privateKey } = await generateKeyPair('RS256');
  const noUuid = await new SignJWT({ email: EMAIL }).setProtectedHeader({ alg: 'RS256' }).setExpirationTime('1h').sign(privateKey);
  assert.throws(() => issuer.verify(noUuid), (e) => e instanceof SyneriseAuthError && ['bad_signature', 'missing_claim'].includes(e.code));
});

test('the time is the issuer clock: exp follows it to the second', async (t) => {
  let nowMs = Date.UTC(2030, 0, 1, 12, 0, 0);
  const issuer = new Issuer({ key: await keyFile(t), salt: SALT, ttl: '90m', clock: () => nowMs });
  const issued = await issuer.issue(EMAIL);
  assert.equal(issued.expiresAt, '2030-01-01T13:30:00Z');
  nowMs += 90 * 60 * 1000 + 31_000;
  assert.throws(() => issuer.verify(issued.jwt), (e) => e.code === 'expired');
});

test('no secret in inspect or JSON output', async (t) => {
  const key = await keyFile(t);
  const issuer = new Issuer({ key, salt: 'very-secret-salt-value' });
  for (const text of [inspect(issuer, { showHidden: true, depth: 10 }), JSON.stringify(issuer), String(issuer)]) {
    assert.doesNotMatch(text, /very-secret-salt-value/);
    assert.doesNotMatch(text, /PRIVATE KEY|MII/);
  }
  assert.match(inspect(issuer), /^Issuer \{ kid: null, ttlSeconds: 604800 \}$/);
});

test('CommonJS and ESM entries give the same objects', () => {
  const require = createRequire(import.meta.url);
  const cjs = require('@synerise-auth/server');
  assert.equal(cjs.Issuer, Issuer);
  assert.equal(typeof require('@synerise-auth/server/express').syneriseToken, 'function');
  assert.equal(typeof require('@synerise-auth/server/next').tokenRoute, 'function');
});

test('many tokens at once resolve, each for its own customer', async (t) => {
  const issuer = new Issuer({ key: await keyFile(t), salt: SALT });
  const emails = Array.from({ length: 32 }, (_, i) => `c${i}@example.com`);
  const issued = await Promise.all(emails.map((e) => issuer.issue(e)));
  issued.forEach((token, i) => assert.equal(issuer.verify(token.jwt).email, emails[i]));
});

test('a returning customer gets the token of a few minutes ago, unless reuse is off', async (t) => {
  const key = await keyFile(t);
  let nowMs = Date.UTC(2030, 0, 1, 12, 0, 0);
  const clock = () => nowMs;
  const reusing = new Issuer({ key, salt: SALT, clock });
  const first = await reusing.issue(EMAIL);
  nowMs += 60_000;
  assert.equal((await reusing.issue(EMAIL)).jwt, first.jwt, 'one minute later: the same token');
  assert.notEqual((await reusing.issue('bob@example.com')).jwt, first.jwt);
  nowMs += 10 * 60_000;
  assert.notEqual((await reusing.issue(EMAIL)).jwt, first.jwt, 'past the reuse window: a new one');

  const signing = new Issuer({ key, salt: SALT, clock, reuse: false });
  const one = await signing.issue(EMAIL);
  nowMs += 1_000;
  assert.notEqual((await signing.issue(EMAIL)).jwt, one.jwt);
});
