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
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

const [packs, ...docs] = process.argv.slice(2).map((p) => resolve(p));
const BIN = process.env.SYNERISE_AUTH_BIN;
assert.ok(packs && docs.length && BIN, 'usage: SYNERISE_AUTH_BIN=... node from-an-empty-project.mjs PACKS_DIR DOC.md...');
const ROOT = resolve(import.meta.dirname, '..', '..', '..', '..');
const pinned = (file, name) => JSON.parse(readFileSync(join(ROOT, file), 'utf8')).dependencies?.[name]
  ?? JSON.parse(readFileSync(join(ROOT, file), 'utf8')).devDependencies[name];
const EMAIL = 'ann@example.com';
const SALT = 'an-empty-project-salt';

/** The page's `server.js`: the first js block whose first line is `// server.js`. */
function serverJs(doc) {
  const block = /```js\n(\/\/ server\.js\n[\s\S]*?)```/.exec(readFileSync(doc, 'utf8'));
  assert.ok(block, `${doc} has no js block starting with // server.js`);
  return block[1];
}

const freePort = () =>
  new Promise((done, fail) => {
    const server = createServer().once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });

async function waitForHttp(url, child, output) {
  for (let i = 0; i < 200; i += 1) {
    if (child.exitCode !== null) throw new Error(`node server.js exited (${child.exitCode}):\n${output.join('')}`);
    try {
      return await fetch(url, { method: 'GET' });
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`node server.js did not answer on ${url}:\n${output.join('')}`);
}

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
    writeFileSync(join(project, file), `${serverJs(doc)}
app.post('/test/sign-in', express.json(), (req, res) => {
  req.session.customer = req.body.email;
  res.status(204).end();
});
`);
    const port = await freePort();
    const output = [];
    const child = spawn(process.execPath, [file], {
      cwd: project,
      env: { ...process.env, SYNERISE_AUTH_KEY: 'keys/private.pem', SYNERISE_AUTH_UUID_SALT: SALT, SESSION_SECRET: 'a session secret for the test', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    child.stdout.setEncoding('utf8').on('data', (d) => output.push(d));
    child.stderr.setEncoding('utf8').on('data', (d) => output.push(d));
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

    let checked;
    try {
      checked = execFileSync(BIN, [
        'check-endpoint', `${base}/api/synerise-token`,
        '--public-key', join(project, 'keys', 'public.pem'),
        '--salt-file', join(project, 'salt'),
        '--expect-email', EMAIL,
        '--header', `Cookie: ${cookie}`,
      ], { encoding: 'utf8' });
    } catch (error) {
      throw new Error(`${doc}: check-endpoint failed:\n${error.stdout}${error.stderr}\nserver:\n${output.join('')}`);
    }
    const summary = checked.trim().split('\n').pop();
    console.log(`${basename(doc)}'s server.js, from an empty project: ${summary}`);
    child.kill('SIGTERM');
  }
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  rmSync(project, { recursive: true, force: true });
}
