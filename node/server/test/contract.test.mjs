// The token-endpoint contract, checked by the project's one conformance checker, the real
// `synerise-auth check-endpoint` binary (SYNERISE_AUTH_BIN, as scripts/test-node sets it), against
// both handlers served on real ports (apps.mjs): the Express middleware and the Next.js App
// Router handler. Each must pass; the same handler signing with another salt must not, and the
// checker must say which check failed.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { Issuer, PerMinute } from '@synerise-auth/server';
import { HANDLERS } from './apps.mjs';
import { cliOutcome, keyFile, tempDir } from './helpers.mjs';

const SALT = 'a-shop-salt';
const EMAIL = 'ann@example.com';
const UUID_CHECK = "signed-in: the token's uuid is UUIDv5 of the salt and the email";

/** An issuer with `salt`, its certificate and the site's salt file as the checker reads them. */
async function site(t, salt) {
  const dir = await tempDir(t);
  const issuer = new Issuer({ key: await keyFile(t), salt });
  const publicKey = join(dir, 'public.pem');
  await writeFile(publicKey, issuer.publicKey('pem'));
  const saltFile = join(dir, 'salt');
  await writeFile(saltFile, SALT);
  return { issuer, publicKey, saltFile };
}

/** `synerise-auth check-endpoint` against the route, the customer signed in by their header. */
function checkEndpoint(url, { publicKey, saltFile }) {
  return cliOutcome([
    'check-endpoint', url,
    '--public-key', publicKey,
    '--salt-file', saltFile,
    '--expect-email', EMAIL,
    '--header', `x-test-customer: ${EMAIL}`,
  ]);
}

for (const [name, mount] of HANDLERS) {
  describe(`${name} against synerise-auth check-endpoint`, () => {
    test('meets the contract: every check holds, the cross-site one included', async (t) => {
      const { issuer, publicKey, saltFile } = await site(t, SALT);
      const base = await mount(t, { issuer, limit: new PerMinute(30) });
      const { code, stdout, stderr } = await checkEndpoint(`${base}/api/synerise-token`, { publicKey, saltFile });
      assert.equal(code, 0, stdout + stderr);
      assert.doesNotMatch(stdout, /^FAIL/m);
      for (const check of [UUID_CHECK, 'anonymous: the code is not_signed_in', 'cross-site: the code is cross_site_request']) {
        assert.match(stdout, new RegExp(`^ok +${check}`, 'm'), stdout);
      }
      const [, held, of] = /^(\d+) of (\d+) checks held/m.exec(stdout) ?? [];
      assert.ok(held && held === of, stdout);
    });

    test('signing with another salt than the site\'s fails, and the checker names the uuid check', async (t) => {
      const { issuer, publicKey, saltFile } = await site(t, 'another-salt');
      const base = await mount(t, { issuer, limit: new PerMinute(30) });
      const { code, stdout } = await checkEndpoint(`${base}/api/synerise-token`, { publicKey, saltFile });
      assert.equal(code, 1, stdout);
      assert.match(stdout, new RegExp(`^FAIL +${UUID_CHECK}: it is ${issuer.customerUuid(EMAIL)}, the salt gives `, 'm'), stdout);
      // Only that check fails: the token is otherwise what the contract wants.
      assert.equal(stdout.match(/^FAIL/gm)?.length, 1, stdout);
    });
  });
}
