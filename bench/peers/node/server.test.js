// The Node peer on a real port: a token that verifies, and every refusal's status and code.
// Run with `npm test` (node --test) after `npm ci`.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { importSPKI, jwtVerify } from 'jose';
import { v5 as uuidv5 } from 'uuid';

const SERVER = fileURLToPath(new URL('./server.js', import.meta.url));
const API_KEY = 'test-api-key-0123456789abcdef';
const SALT = 'test-salt';

function call(port, { method = 'POST', path = '/generate-jwt', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, headers: res.headers, json: text ? JSON.parse(text) : null });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const authed = (extra = {}) => ({
  Authorization: `Bearer ${API_KEY}`,
  'Content-Type': 'application/json',
  ...extra,
});

// Starts the peer with the key in `format` ('pkcs8' or 'pkcs1'); resolves to { port, child }.
function startPeer(dir, format) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = join(dir, `private-${format}.pem`);
  writeFileSync(keyFile, privateKey.export({ type: format, format: 'pem' }));
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' });
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      PORT: '0',
      JWT_PRIVATE_KEY_FILE: keyFile,
      API_KEYS: `other-key-abcdefghijklmnop,${API_KEY}`,
      UUID_SALT: SALT,
      WEB_CONCURRENCY: '2',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (c) => { err += c; });
    child.stdout.on('data', (c) => {
      out += c;
      const m = /node peer listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), child, publicPem });
    });
    child.on('exit', (code) => reject(new Error(`the peer exited (${code}): ${err}`)));
  });
}

describe('node peer', () => {
  let dir;
  let peer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'node-peer-'));
    peer = await startPeer(dir, 'pkcs8');
  });

  after(() => {
    peer?.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  test('signs an RS256 token with the derived uuid that verifies with the public key', async () => {
    const email = 'Customer@Example.COM';
    const res = await call(peer.port, { headers: authed(), body: JSON.stringify({ email }) });
    assert.equal(res.status, 200);
    const expected = uuidv5(`${SALT}Customer@example.com`, uuidv5.URL);
    assert.equal(res.json.uuid, expected);
    const key = await importSPKI(peer.publicPem, 'RS256');
    const { payload, protectedHeader } = await jwtVerify(res.json.jwt, key, { algorithms: ['RS256'] });
    assert.deepEqual(protectedHeader, { alg: 'RS256', typ: 'JWT' });
    assert.equal(payload.email, 'Customer@example.com');
    assert.equal(payload.uuid, expected);
    assert.equal(payload.exp - payload.iat, 604800);
    assert.equal(res.json.expiresAt, new Date(payload.exp * 1000).toISOString().replace('.000Z', 'Z'));
  });

  test('keeps a uuid sent in the body', async () => {
    const uuid = '345d4c8f-5aff-591d-a19c-1ca48923d9ee';
    const res = await call(peer.port, {
      headers: authed(),
      body: JSON.stringify({ email: 'a@example.com', uuid }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.json.uuid, uuid);
  });

  const refusals = [
    ['no Authorization header', { headers: { 'Content-Type': 'application/json' } }, 401, 'missing_credentials'],
    ['another scheme', { headers: { Authorization: `Basic ${API_KEY}` } }, 401, 'invalid_authorization'],
    ['an empty bearer', { headers: { Authorization: 'Bearer ' } }, 401, 'invalid_authorization'],
    ['a wrong key', { headers: { Authorization: 'Bearer not-the-key' } }, 401, 'invalid_credentials'],
    ['a key that is a prefix', { headers: { Authorization: `Bearer ${API_KEY.slice(0, -1)}` } }, 401, 'invalid_credentials'],
    ['GET', { method: 'GET', headers: authed() }, 405, 'method_not_allowed'],
    ['another path', { path: '/nope', headers: authed() }, 404, 'not_found'],
    ['a text body', { headers: authed({ 'Content-Type': 'text/plain' }), body: '{"email":"a@example.com"}' }, 415, 'unsupported_media_type'],
    ['a body over 16 KiB', { headers: authed(), body: JSON.stringify({ email: 'a@example.com', pad: 'x'.repeat(16 * 1024) }) }, 413, 'payload_too_large'],
    ['no body', { headers: authed() }, 400, 'missing_email'],
    ['no email', { headers: authed(), body: '{"uuid":"345d4c8f-5aff-591d-a19c-1ca48923d9ee"}' }, 400, 'missing_email'],
    ['an email that is not one', { headers: authed(), body: '{"email":"not-an-email"}' }, 400, 'invalid_email'],
    ['an email without a dotted domain', { headers: authed(), body: '{"email":"a@localhost"}' }, 400, 'invalid_email'],
    ['an email that is a number', { headers: authed(), body: '{"email":5}' }, 400, 'invalid_email'],
    ['an email over 254 bytes', { headers: authed(), body: JSON.stringify({ email: `${'a'.repeat(250)}@example.com` }) }, 400, 'invalid_email'],
    ['a uuid that is not one', { headers: authed(), body: '{"email":"a@example.com","uuid":"nope"}' }, 400, 'invalid_uuid'],
    ['malformed JSON', { headers: authed(), body: '{"email":' }, 400, 'malformed_json'],
    ['a JSON array', { headers: authed(), body: '["a@example.com"]' }, 400, 'invalid_body'],
  ];
  for (const [what, options, status, code] of refusals) {
    test(`refuses ${what}: ${status} ${code}`, async () => {
      const res = await call(peer.port, options);
      assert.equal(res.status, status);
      assert.equal(res.json.code, code);
      assert.equal(typeof res.json.error, 'string');
      if (status === 401) assert.equal(res.headers['www-authenticate'], 'Bearer');
      if (status === 405) assert.equal(res.headers.allow, 'POST');
      if (status === 413) assert.equal(res.headers.connection, 'close');
    });
  }

  test('GET /healthz answers 200', async () => {
    const res = await call(peer.port, { method: 'GET', path: '/healthz' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { status: 'ok' });
  });

  test('a PKCS#1 key is converted once and signs too', async () => {
    const pkcs1 = await startPeer(dir, 'pkcs1');
    try {
      const res = await call(pkcs1.port, { headers: authed(), body: '{"email":"a@example.com"}' });
      assert.equal(res.status, 200);
      const key = await importSPKI(pkcs1.publicPem, 'RS256');
      await jwtVerify(res.json.jwt, key, { algorithms: ['RS256'] });
    } finally {
      pkcs1.child.kill('SIGTERM');
    }
  });

  test('refuses to start without API_KEYS', async () => {
    const child = spawn(process.execPath, [SERVER], {
      env: { ...process.env, PORT: '0', JWT_PRIVATE_KEY_FILE: join(dir, 'private-pkcs8.pem'), API_KEYS: '', UUID_SALT: SALT },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c) => { err += c; });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 1);
    assert.match(err, /API_KEYS is not set/);
  });
});
