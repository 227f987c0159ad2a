// The Next.js App Router route exactly as each page writes it (the package's README, the guide to
// a shop's own sign-in), in a real Next.js app: the route file taken from the Markdown itself,
// `next.config.mjs` with the pages' `serverExternalPackages` line, the package installed from its packed tarballs, `next build`
// (without the key or salt in the environment, as a shop's CI builds), then `next start` with
// them; then a token request of a signed-in customer, checked by `synerise-auth check-endpoint`
// against the token-endpoint contract, and a GET refused as the contract says.
//
// The shop's sign-in (`@/auth`) is a stand-in (test/next-app/auth.ts) that names the customer in
// a `test-customer` cookie; next, react and typescript are at the versions test/next-app pins.
//
// usage: node next-app.mjs PACKS_DIR DOC.md... (SYNERISE_AUTH_BIN set); run by scripts/test-node.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

import { checkEndpoint, codeBlock, freePort, startNode, waitForHttp } from './shared.mjs';

const [packs, ...docs] = process.argv.slice(2).map((p) => resolve(p));
const BIN = process.env.SYNERISE_AUTH_BIN;
assert.ok(packs && docs.length && BIN, 'usage: SYNERISE_AUTH_BIN=... node next-app.mjs PACKS_DIR DOC.md...');
const FIXTURE = resolve(import.meta.dirname, '..', 'next-app');
const EMAIL = 'ann@example.com';
const SALT = 'a-next-shop-salt';
const ROUTE = '// app/api/synerise-token/route.ts';
const EXTERNAL = "serverExternalPackages: ['@synerise-auth/server']";

const project = mkdtempSync(join(tmpdir(), 'synerise-auth-next-app-'));
let child;
try {
  cpSync(FIXTURE, project, { recursive: true });
  const quiet = { cwd: project, stdio: ['ignore', 'ignore', 'inherit'] };
  const tarballs = readdirSync(packs).filter((f) => f.endsWith('.tgz')).map((f) => join(packs, f));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], quiet);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], quiet);
  execFileSync(BIN, ['keygen', '--out', join(project, 'keys')], { stdio: 'ignore' });
  writeFileSync(join(project, 'salt'), SALT);
  const next = join(project, 'node_modules', 'next', 'dist', 'bin', 'next');
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  delete env.SYNERISE_AUTH_KEY;
  delete env.SYNERISE_AUTH_UUID_SALT;

  for (const doc of docs) {
    const what = `${basename(doc)}'s Next.js route`;
    mkdirSync(join(project, 'app', 'api', 'synerise-token'), { recursive: true });
    writeFileSync(join(project, 'app', 'api', 'synerise-token', 'route.ts'), codeBlock(doc, 'ts', ROUTE));
    assert.ok(readFileSync(doc, 'utf8').includes(EXTERNAL), `${doc} no longer says ${EXTERNAL}`);
    writeFileSync(join(project, 'next.config.mjs'), `export default { ${EXTERNAL} };\n`);
    try {
      execFileSync(process.execPath, [next, 'build'], { cwd: project, env, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      throw new Error(`${what}: next build failed:\n${error.stdout}${error.stderr}`);
    }

    const port = await freePort();
    let output;
    ({ child, output } = startNode([next, 'start', '--hostname', '127.0.0.1', '--port', String(port)], {
      cwd: project,
      env: { ...env, SYNERISE_AUTH_KEY: 'keys/private.pem', SYNERISE_AUTH_UUID_SALT: SALT },
    }));
    const url = `http://127.0.0.1:${port}/api/synerise-token`;
    await waitForHttp(url, child, output, 60);

    const summary = checkEndpoint({ bin: BIN, url, project, email: EMAIL, cookie: `test-customer=${EMAIL}`, output, what });
    // A method the route does not export: Next.js itself answers 405.
    assert.equal((await fetch(url)).status, 405, `${what}: GET ${url}`);
    console.log(`${what}, in a Next.js app (next build without the key, next start): ${summary}`);
    child.kill('SIGTERM');
    await new Promise((done) => child.once('exit', done));
  }
} finally {
  if (child && child.exitCode === null) child.kill('SIGTERM');
  rmSync(project, { recursive: true, force: true });
}
