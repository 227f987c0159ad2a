// The Flask shop in chromium, both modes (`wheel`, `sidecar`): the shops' one browser test
// (examples/shop-test/browser.mjs), told how this shop starts. Needs SHOP_PYTHON (a Python with
// synerise-auth[flask] and Flask-Login installed) and SYNERISE_AUTH_BIN; run by test/run.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { shopBrowserTest } from '../../shop-test/browser.mjs';

const SHOP = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = process.env.SHOP_PYTHON;
assert.ok(PYTHON, 'set SHOP_PYTHON (test/run does)');

shopBrowserTest({
  name: 'the Flask shop',
  modes: ['wheel', 'sidecar'],
  async startShop({ mode, env, dir, start }) {
    const shopEnv = { ...env, SHOP_DATABASE: join(dir, `flask-shop-${mode}.db`) };
    execFileSync(PYTHON, ['-m', 'flask', '--app', 'app', 'add-customer'], { cwd: SHOP, env: { ...process.env, ...shopEnv } });
    return start(`the Flask shop (${mode})`, PYTHON, ['run.py'], { cwd: SHOP, env: shopEnv, ready: /^flask-shop listening on (http:\/\/\S+)$/ });
  },
});
