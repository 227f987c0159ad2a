// The packages as a shop installs them: `npm pack` the two workspace packages, install the
// tarballs into a fresh Vite + React app in a temporary directory outside the workspace, build it,
// serve it with `vite preview` in front of the real server, and sign in with Debian's chromium.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  DEMO_EMAIL,
  DEMO_PASSWORD,
  fetchPublicKey,
  openBrowser,
  sdkState,
  signIn,
  startServer,
  verifyRs256,
  waitForSdkToken,
  type OpenBrowser,
  type RunningServer,
} from './harness';

const run = promisify(execFile);
const WEB = process.cwd();
const INSTALL_TIMEOUT_MS = 180_000;

/** The version this workspace has installed, so the shop's install comes from npm's cache. */
const installed = (name: string) =>
  (JSON.parse(readFileSync(resolve(WEB, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

const freePort = () =>
  new Promise<number>((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });

const APP = `import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { getSession } from '@synerise-auth/browser';
import { LoginForm, useSyneriseAuthentication } from '@synerise-auth/react';

function Shop() {
  const [failure, setFailure] = useState(null);
  const auth = useSyneriseAuthentication({ onFailure: (f) => setFailure(f.reason) });
  useEffect(() => {
    getSession().then((email) => email && auth.authenticate(email));
  }, [auth.authenticate]);
  if (auth.status === 'authenticated') {
    return (
      <main>
        <p id="customer">{auth.token.email}</p>
        <button onClick={() => auth.logout()}>Sign out</button>
      </main>
    );
  }
  return (
    <main>
      <LoginForm auth={auth} title="Shop sign-in" />
      {failure ? <p id="failure">{failure}</p> : null}
    </main>
  );
}

createRoot(document.getElementById('root')).render(<StrictMode><Shop /></StrictMode>);
`;

let dir = '';
let server: RunningServer | undefined;
let preview: ChildProcess | undefined;
let previewUrl = '';
let browser: OpenBrowser | undefined;

beforeAll(async () => {
  server = await startServer();
  dir = await mkdtemp(join(tmpdir(), 'synerise-auth-shop-'));
  const packs = join(dir, 'packs');
  await mkdir(packs);
  await run('npm', ['pack', '--workspace', '@synerise-auth/browser', '--workspace', '@synerise-auth/react', '--pack-destination', packs, '--silent'], { cwd: WEB });
  const tarballs = (await readdir(packs)).sort();
  expect(tarballs).toEqual(['synerise-auth-browser-0.1.0.tgz', 'synerise-auth-react-0.1.0.tgz']);

  const shop = join(dir, 'shop');
  await mkdir(join(shop, 'src'), { recursive: true });
  await writeFile(
    join(shop, 'package.json'),
    JSON.stringify({
      name: 'a-shop',
      private: true,
      type: 'module',
      dependencies: {
        '@synerise-auth/browser': `file:${join(packs, tarballs[0] as string)}`,
        '@synerise-auth/react': `file:${join(packs, tarballs[1] as string)}`,
        react: installed('react'),
        'react-dom': installed('react-dom'),
      },
      devDependencies: { vite: installed('vite'), '@vitejs/plugin-react': installed('@vitejs/plugin-react') },
    }),
  );
  // The shop's page loads its tracker (here the service's stand-in) and its own bundle; the
  // preview server forwards the service's routes, so the page and the API share one origin.
  await writeFile(
    join(shop, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><title>A shop</title>' +
      '<script async src="/synerise-standin.js" data-gate-url="/gate/v1/events"></script></head>' +
      '<body><div id="root"></div><script type="module" src="/src/main.jsx"></script></body></html>',
  );
  await writeFile(join(shop, 'src', 'main.jsx'), APP);
  await writeFile(
    join(shop, 'vite.config.js'),
    `import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
const target = ${JSON.stringify(server.url)};
const proxy = Object.fromEntries(['/api', '/generate-jwt', '/gate/v1', '/synerise-standin.js'].map((p) => [p, { target }]));
export default defineConfig({ plugins: [react()], preview: { proxy } });
`,
  );
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: shop, timeout: INSTALL_TIMEOUT_MS });
  await run(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'error'], { cwd: shop, timeout: 60_000 });

  const port = await freePort();
  previewUrl = `http://127.0.0.1:${port}`;
  // Vite directly, not through npx: npx would leave vite's process holding the port.
  preview = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: shop,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error('vite preview did not start')), 30_000);
    preview?.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes(String(port))) {
        clearTimeout(timer);
        ready();
      }
    });
    preview?.once('exit', (code) => fail(new Error(`vite preview exited (${code})`)));
  });
  browser = await openBrowser();
}, INSTALL_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await browser?.close();
  if (preview && preview.exitCode === null) {
    const exited = new Promise((done) => preview?.once('exit', done));
    preview.kill('SIGTERM');
    await exited;
  }
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the packages installed from their tarballs into a new Vite + React app', () => {
  it('sign a customer in and hand the token to the tracker', async () => {
    const page = browser?.page;
    if (!page || !server) throw new Error('the shop did not start');
    await page.goto(previewUrl);
    await page.getByRole('heading', { name: 'Shop sign-in' }).waitFor();

    await signIn(page, DEMO_EMAIL, DEMO_PASSWORD);
    const jwt = await waitForSdkToken(page);
    expect(await page.locator('#customer').textContent()).toBe(DEMO_EMAIL);
    const { claims } = verifyRs256(jwt, await fetchPublicKey(server.url));
    expect(claims.email).toBe(DEMO_EMAIL);
    expect((await sdkState(page)).uuid).toBe(claims.uuid);

    // The tracker's protected event goes through with the token.
    const verdict = await page.evaluate(() =>
      (window as unknown as { SR: { event: { sendFormData(l: string, p: object): Promise<{ accepted: boolean }> } } }).SR.event.sendFormData(
        'shop form',
        {},
      ),
    );
    expect(verdict.accepted).toBe(true);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Shop sign-in' }).waitFor();
    expect((await sdkState(page)).accessToken).toBeNull();
  });
});
