// The Node shop in chromium, both modes (`addon`, `sidecar`): the shops' one browser test
// (examples/shop-test/browser.mjs), told how this shop starts. Needs SYNERISE_AUTH_BIN; run by
// test/run.
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { shopBrowserTest } from '../../shop-test/browser.mjs';

const SHOP = resolve(dirname(fileURLToPath(import.meta.url)), '..');

shopBrowserTest({
  name: 'the Node shop',
  modes: ['addon', 'sidecar'],
  async startShop({ mode, env, dir, start }) {
    const shopEnv = { ...env, SHOP_ACCOUNTS: join(dir, `node-shop-accounts-${mode}.json`) };
    execFileSync(process.execPath, ['server.js', 'add-customer'], { cwd: SHOP, env: { ...process.env, ...shopEnv } });
    return start(`the Node shop (${mode})`, process.execPath, ['server.js'], { cwd: SHOP, env: shopEnv, ready: /^node-shop listening on (http:\/\/\S+)$/ });
  },
});
