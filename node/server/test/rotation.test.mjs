// Key rotation through a key directory made by `synerise-auth keys`: the issuer follows the
// directory on reload(), publishes the next key before it signs, keeps verifying the old key's
// tokens, and keeps its keys when a reload fails.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';

import { Issuer } from '@synerise-auth/server';
import { cli, tempDir, verifyWithCli } from './helpers.mjs';

const SALT = 'a-shop-salt';
const EMAIL = 'ann@example.com';

test('keys new, keys activate and reload: the JWK set and kid follow the directory', async (t) => {
  const dir = join(await tempDir(t), 'keys');
  await cli(['keys', '--dir', dir, 'init']);
  const issuer = new Issuer({ key: dir, salt: SALT });
  const alone = await issuer.issue(EMAIL);
  assert.equal(decodeProtectedHeader(alone.jwt).kid, undefined, 'a set of one key names no kid (kid: none)');
  assert.equal(issuer.kid, null);
  assert.equal(issuer.jwks().keys.length, 1);

  await cli(['keys', '--dir', dir, 'new']);
  assert.equal(issuer.jwks().keys.length, 1, 'nothing changes before reload');
  issuer.reload();
  const published = issuer.jwks();
  assert.equal(published.keys.length, 2, 'the next key is published before it signs');
  const firstKid = issuer.kid;
  assert.ok(firstKid, 'a set of two keys names its kid');
  assert.ok(published.keys.some((k) => k.kid === firstKid));
  // Signed by the active key, now naming it: the token that must outlive the rotation.
  const first = await issuer.issue(EMAIL);
  assert.equal(decodeProtectedHeader(first.jwt).kid, firstKid, 'the active key still signs');

  await cli(['keys', '--dir', dir, 'activate']);
  issuer.reload();
  const second = await issuer.issue(EMAIL);
  const secondKid = decodeProtectedHeader(second.jwt).kid;
  assert.notEqual(secondKid, firstKid);
  assert.equal(issuer.kid, secondKid);
  assert.deepEqual(issuer.jwks().keys.map((k) => k.kid).sort(), [firstKid, secondKid].sort(), 'the retired key stays published');

  // Both tokens verify: by the issuer, by jose against the published set, by the CLI on the directory.
  const jwks = createLocalJWKSet(issuer.jwks());
  for (const token of [first.jwt, second.jwt]) {
    assert.equal(issuer.verify(token).email, EMAIL);
    assert.equal((await jwtVerify(token, jwks, { algorithms: ['RS256'] })).payload.email, EMAIL);
    assert.equal((await verifyWithCli(dir, token)).claims.email, EMAIL);
  }
});

test('a failed reload throws key_set_invalid and keeps signing with the keys in use', async (t) => {
  const dir = join(await tempDir(t), 'keys');
  await cli(['keys', '--dir', dir, 'init']);
  const issuer = new Issuer({ key: dir, salt: SALT, kid: 'thumbprint' });
  const kid = issuer.kid;
  await writeFile(join(dir, 'keys.json'), 'this is not a key state file [');
  assert.throws(() => issuer.reload(), (e) => e.code === 'key_set_invalid' && e.status === 500);
  const issued = await issuer.issue(EMAIL);
  assert.equal(decodeProtectedHeader(issued.jwt).kid, kid);
  assert.equal(issuer.verify(issued.jwt).email, EMAIL);
});
