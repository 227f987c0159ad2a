// The Express token route exactly as the documentation writes it, followed from an empty npm
// project: `npm init -y && npm pkg set type=module`, `npm install express express-session
// @synerise-auth/server`, `synerise-auth keygen --out keys`, the page's `server.js` taken from the
// Markdown itself (so the page cannot drift from what runs), started with the environment the
// page gives; then a token request of a signed-in customer, checked by `synerise-auth
// check-endpoint` against the token-endpoint contract.
//
// The one substitution: @synerise-auth/server is installed from its packed tarballs (the package
// and its linux-x64-gnu platform package, as a registry would deliver them), and express and
// express-session at the versions this repository pins. The page leaves the sign-in to the shop;
// the test adds a stand-in route after the page's code to set `req.session.customer`.
//
// usage: node from-an-empty-project.mjs PACKS_DIR DOC.md... (SYNERISE_AUTH_BIN set); run by
// scripts/test-node.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

import { checkEndpoint, codeBlock, freePort, startNode, waitForHttp } from './shared.mjs';

const [packs, ...docs] = process.argv.slice(2).map((p) => resolve(p));
const BIN = process.env.SYNERISE_AUTH_BIN;
assert.ok(packs && docs.length && BIN, 'usage: SYNERISE_AUTH_BIN=... node from-an-empty-project.mjs PACKS_DIR DOC.md...');
const ROOT = resolve(import.meta.dirname, '..', '..', '..', '..');
const pinned = (file, name) => JSON.parse(readFileSync(join(ROOT, file), 'utf8')).dependencies?.[name]
  ?? JSON.parse(readFileSync(join(ROOT, file), 'utf8')).devDependencies[name];
const EMAIL = 'ann@example.com';
const SALT = 'an-empty-project-salt';

const project = mkdtempSync(join(tmpdir(), 'synerise-auth-empty-project-'));
const children = [];
try {
  const npm = (...args) => execFileSync('npm', args, { cwd: project, stdio: ['ignore', 'ignore', 'inherit'] });
  npm('init', '-y');
  npm('pkg', 'set', 'type=module');
  const tarballs = readdirSync(packs).filter((f) => f.endsWith('.tgz')).map((f) => join(packs, f));
  npm('install', '--no-audit', '--no-fund', '--loglevel=error',
    `express@${pinned('node/server/package.json', 'express')}`,
    `express-session@${pinned('examples/node-shop/package.json', 'express-session')}`,
    ...tarballs);
  execFileSync(BIN, ['keygen', '--out', join(project, 'keys')], { stdio: 'ignore' });
  writeFileSync(join(project, 'salt'), SALT);

  for (const doc of docs) {
    const file = `server-${basename(doc, '.md')}.js`;
    // After the page's code: a sign-in standing in for the shop's own (routes added after
    // app.listen() are served all the same).
    writeFileSync(join(project, file), `${codeBlock(doc, 'js', '// server.js')}
app.post('/test/sign-in', express.json(), (req, res) => {
  req.session.customer = req.body.email;
  res.status(204).end();
});
`);
    const port = await freePort();
    const { child, output } = startNode([file], {
      cwd: project,
      env: { ...process.env, SYNERISE_AUTH_KEY: 'keys/private.pem', SYNERISE_AUTH_UUID_SALT: SALT, SESSION_SECRET: 'a session secret for the test', PORT: String(port) },
    });
    children.push(child);
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(base, child, output);

    const signIn = await fetch(`${base}/test/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: EMAIL }),
    });
    assert.equal(signIn.status, 204);
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    assert.ok(cookie, 'the sign-in set a session cookie');

    const summary = checkEndpoint({
      bin: BIN, url: `${base}/api/synerise-token`, project, email: EMAIL, cookie, output, what: doc,
    });
    console.log(`${basename(doc)}'s server.js, from an empty project: ${summary}`);
    child.kill('SIGTERM');
  }
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  rmSync(project, { recursive: true, force: true });
}
