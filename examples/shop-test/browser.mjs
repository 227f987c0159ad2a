// The example shops' browser test, written once: a shop's own test/browser.mjs calls
// `shopBrowserTest` with how to start that shop, and this runs the same story against it in
// Debian's chromium, in each of its modes (tokens in-process, or from `synerise-auth serve` as a
// sidecar): a wrong password is the shop's own refusal, a customer signs in with the shop's own
// login, the token reaches the tracker (synerise-auth's stand-in, served by `synerise-auth gate`,
// which judges events as Synerise would) and verifies, `form.submit` is accepted, and sign-out
// clears the token and ends the shop's session.
//
// Needs SYNERISE_AUTH_BIN and the shop's bundle built (examples/shop-frontend/build); the shops'
// test/run scripts do both.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// playwright-core as the repository's web/ installed it; the browser is Debian's chromium.
const { chromium } = createRequire(join(ROOT, 'web', 'package.json'))('playwright-core');

const BIN = process.env.SYNERISE_AUTH_BIN;
const EMAIL = 'ann@example.com';
const PASSWORD = 'a shop password, long enough';
const SALT = 'shop-test-salt';
const API_KEY = randomBytes(24).toString('hex');

/**
 * Starts a program; resolves with the first capture of `ready` in its standard output. It is
 * stopped (SIGTERM) after the tests.
 * @typedef {(name: string, command: string, args: string[], options: { env?: object, cwd?: string, ready: RegExp }) => Promise<string>} Start
 */

/**
 * Registers the browser test of one shop.
 *
 * @param {object} shop
 * @param {string} shop.name how the test names it: `the Flask shop`
 * @param {string[]} shop.modes its `SHOP_TOKENS` values, in-process first, then `sidecar`
 * @param {(run: { mode: string, env: Record<string, string>, dir: string, start: Start }) => Promise<string>} shop.startShop
 *   adds the customer (SHOP_CUSTOMER_EMAIL, SHOP_CUSTOMER_PASSWORD) and starts the shop with
 *   `env` (plus the storage setting of its own, in `dir`) by `start`; resolves with its URL.
 */
export function shopBrowserTest({ name, modes, startShop }) {
  assert.ok(BIN, 'set SYNERISE_AUTH_BIN (the shop\'s test/run does)');
  const dir = mkdtempSync(join(tmpdir(), 'shop-browser-'));
  const children = [];

  /** @type {Start} */
  function start(what, command, args, { env = {}, cwd, ready }) {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const output = [];
    child.stderr.setEncoding('utf8').on('data', (d) => output.push(d));
    return new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`${what} did not start:\n${output.join('')}`)), 60_000);
      child.once('exit', (code) => fail(new Error(`${what} exited (${code}):\n${output.join('')}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        const match = ready.exec(line);
        if (match) {
          clearTimeout(timer);
          done(match[1]);
        }
      });
    });
  }

  const stopAll = () =>
    Promise.all(
      children.map(
        (child) =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', done);
            child.kill('SIGTERM');
          }),
      ),
    );

  let gate = '';
  let serve = '';
  let publicKey;
  let browser;

  before(async () => {
    execFileSync(BIN, ['keygen', '--out', join(dir, 'keys')], { stdio: 'ignore' });
    publicKey = createPublicKey(readFileSync(join(dir, 'keys', 'public.pem')));
    gate = await start('synerise-auth gate', BIN, ['gate', '--certificate', join(dir, 'keys', 'public.pem'), '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'gate')], {
      ready: /^synerise-auth gate listening on (http:\/\/\S+)$/,
    });
    serve = await start('synerise-auth serve', BIN, ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'serve'), '--key', join(dir, 'keys', 'private.pem'), '--uuid-salt', SALT], {
      env: { SYNERISE_AUTH_API_KEYS: API_KEY },
      ready: /^synerise-auth listening on (http:\/\/\S+)$/,
    });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  after(async () => {
    await browser?.close();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The settings both shops read, for `mode`. */
  const settings = (mode) => ({
    SHOP_TOKENS: mode,
    SHOP_SECRET_KEY: randomBytes(32).toString('hex'),
    SHOP_TRACKER_SCRIPT: `${gate}/synerise-standin.js`,
    SHOP_TRACKER_EVENTS: `${gate}/gate/v1/events`,
    SHOP_PORT: '0',
    SHOP_CUSTOMER_EMAIL: EMAIL,
    SHOP_CUSTOMER_PASSWORD: PASSWORD,
    SYNERISE_AUTH_KEY: join(dir, 'keys', 'private.pem'),
    SYNERISE_AUTH_UUID_SALT: SALT,
    SYNERISE_AUTH_URL: serve,
    SYNERISE_AUTH_API_KEY: API_KEY,
  });

  function verifyJwt(jwt) {
    const [header, claims, signature] = jwt.split('.');
    assert.ok(verify('RSA-SHA256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url')), 'the token verifies with the public key');
    return JSON.parse(Buffer.from(claims, 'base64url').toString());
  }

  const standin = (page) => page.evaluate(() => window.SR.standin.state());

  for (const mode of modes) {
    describe(`${name}, tokens from the ${mode}`, () => {
      it('signs in with its own login, hands the tracker a token the gate accepts, clears it on sign-out', async () => {
        const shop = await startShop({ mode, env: settings(mode), dir, start });
        const context = await browser.newContext();
        const page = await context.newPage();
        page.setDefaultTimeout(15_000);
        // What the page said, shown when a step fails.
        const said = [];
        page.on('console', (m) => said.push(`${m.type()}: ${m.text()}`));
        page.on('pageerror', (e) => said.push(`error: ${e.message}`));
        try {
          // Not signed in: the shop's own login page, and a wrong password is its own refusal.
          await page.goto(shop);
          await page.getByRole('heading', { name: 'Sign in to the shop' }).waitFor();
          await page.getByLabel('Email').fill(EMAIL);
          await page.getByLabel('Password').fill('not the password');
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.getByRole('alert').waitFor();
          assert.equal(await page.getByRole('alert').textContent(), 'Wrong email or password.');

          await page.getByLabel('Email').fill(EMAIL);
          await page.getByLabel('Password').fill(PASSWORD);
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.locator('#customer').waitFor();
          assert.equal(await page.locator('#customer').textContent(), EMAIL);

          const handle = await page.waitForFunction(() => window.SR?.standin?.state().accessToken ?? null);
          const claims = verifyJwt(await handle.jsonValue());
          assert.equal(claims.email, EMAIL);
          assert.equal(claims.uuid, execFileSync(BIN, ['uuid', '--salt', SALT, EMAIL]).toString().trim());
          assert.equal((await standin(page)).uuid, claims.uuid);
          await page.locator('#tracker[data-status="authenticated"]').waitFor();

          // A protected event goes through the gate with the token.
          const verdict = await page.evaluate(() => window.SR.event.sendFormData('newsletter', {}));
          assert.equal(verdict.accepted, true, JSON.stringify(verdict));

          await page.getByRole('button', { name: 'Sign out' }).click();
          await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
          assert.equal((await standin(page)).accessToken, null);
          // The shop's session is over too: its token route refuses.
          const afterSignOut = await page.evaluate(async () => {
            const r = await fetch('/shop/token', { method: 'POST' });
            return { status: r.status, body: await r.json() };
          });
          assert.deepEqual(afterSignOut, { status: 401, body: { error: 'no customer is signed in', code: 'not_signed_in' } });
          const refused = await page.evaluate(() => window.SR.event.sendFormData('newsletter', {}));
          assert.equal(refused.accepted, false);
        } catch (error) {
          error.message += `\nthe page said:\n${said.join('\n')}\n#failure: ${await page.locator('#failure').textContent({ timeout: 1000 }).catch(() => 'none')}`;
          throw error;
        } finally {
          await context.close();
        }
      });
    });
  }
}
