/**
 * What every browser test needs: the real `synerise-auth serve` on a free port with a fresh data
 * directory, and Debian's chromium driven by playwright-core (never a downloaded browser).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * Where the screenshots go: `web/test-results/screenshots/` (not in git) on every run, so running
 * the tests leaves the checkout as it was; `web/e2e/screenshots/`, the ones the docs show, with
 * `UPDATE_SCREENSHOTS=1` (`npm run screenshots`).
 */
export const SCREENSHOTS_DIR = process.env.UPDATE_SCREENSHOTS
  ? join(WEB_DIR, 'e2e', 'screenshots')
  : join(WEB_DIR, 'test-results', 'screenshots');

export const DEMO_EMAIL = 'demo@example.com';
export const DEMO_PASSWORD = 'synerise-demo';

const READY_LINE = /^synerise-auth listening on (http:\/\/127\.0\.0\.1:\d+)\s*$/;
const START_TIMEOUT_MS = 60_000;

/** The binary under test: `SYNERISE_AUTH_BIN`, or the workspace's debug build. */
export function binaryPath(): string {
  if (process.env.SYNERISE_AUTH_BIN) return process.env.SYNERISE_AUTH_BIN;
  // Where `cargo build` put it: $CARGO_TARGET_DIR (relative to the repository root) or ./target.
  const root = resolve(WEB_DIR, '..');
  const targetDir = process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, 'target');
  return join(targetDir, 'debug', 'synerise-auth');
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:41234`, parsed from the server's ready line. */
  url: string;
  /** The server's fresh data directory (dev mode keeps its signing key there). */
  dataDir: string;
  /** Sends the server process a signal (`SIGHUP` reloads its key set). */
  signal(name: NodeJS.Signals): void;
  stop(): Promise<void>;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

/**
 * Starts `synerise-auth serve --listen 127.0.0.1:0 --data-dir <fresh dir> [args]`, with `env`
 * added to this process's environment, and resolves once it prints its ready line. Fails with the
 * reason (and the server's own output) if the binary is missing, exits, or does not get ready in
 * time.
 */
export async function startServer(args: string[] = [], env: Record<string, string> = {}): Promise<RunningServer> {
  const bin = binaryPath();
  if (!existsSync(bin)) {
    throw new Error(
      `The synerise-auth binary is not at ${bin}. Build it first (npm run build, then ` +
        '`cargo build -p synerise-auth` from the repository root; CARGO_TARGET_DIR is honoured), or point SYNERISE_AUTH_BIN at one.',
    );
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'synerise-auth-e2e-'));
  // Extra flags for `serve`, space-separated, for a server that needs them (e.g. a config file).
  const extra = (process.env.SYNERISE_AUTH_SERVE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...args, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const output: string[] = [];
  const remember = (line: string) => {
    output.push(line);
    if (output.length > 200) output.shift();
  };
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').forEach(remember));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 5_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    const url = await new Promise<string>((ready, fail) => {
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      const timer = setTimeout(
        () => fail(new Error(`synerise-auth did not print its ready line within ${START_TIMEOUT_MS / 1000} s.`)),
        START_TIMEOUT_MS,
      );
      lines.on('line', (line) => {
        remember(line);
        const match = READY_LINE.exec(line);
        if (match?.[1]) {
          clearTimeout(timer);
          ready(match[1]);
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        fail(new Error(`synerise-auth could not be started: ${error.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        fail(new Error(`synerise-auth exited (${signal ?? `code ${code}`}) before it was ready.`));
      });
    });
    return { url, dataDir, signal: (name) => void child.kill(name), stop };
  } catch (error) {
    await stop();
    const tail = output.filter(Boolean).slice(-30).join('\n');
    throw new Error(`${(error as Error).message}\n--- server output ---\n${tail || '(nothing)'}`);
  }
}

export interface OpenBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Debian's chromium, headless, with a fresh profile: no cookies or storage from another test. */
export async function openBrowser(): Promise<OpenBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'synerise-auth-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 760 },
    timezoneId: 'UTC',
  });
  // Shorter than Playwright's 30 s: everything here is local, and a missing piece should fail fast.
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** What a test gets from {@link serverAndFreshBrowser}. */
export interface Running {
  url: string;
  page: Page;
  context: BrowserContext;
}

/**
 * One server for the whole file and a fresh browser for each test, started and stopped by
 * vitest's hooks. Returns what a test calls to reach them (it throws when either did not start).
 */
export function serverAndFreshBrowser(): () => Running {
  let server: RunningServer | undefined;
  let browser: OpenBrowser | undefined;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    browser = await openBrowser();
  });
  afterEach(async () => {
    await browser?.close();
  });
  return () => {
    if (!server || !browser) throw new Error('the server or the browser did not start');
    return { url: server.url, page: browser.page, context: browser.context };
  };
}

export async function saveScreenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS_DIR, name), fullPage: true });
}

/** What the SDK stand-in holds (`window.SR.standin.state()`). */
export interface SdkState {
  uuid: string;
  identityHash: string | null;
  accessToken: string | null;
}

export async function sdkState(page: Page): Promise<SdkState> {
  await page.waitForFunction(() => 'SR' in window);
  return page.evaluate(() => (window as unknown as { SR: { standin: { state(): SdkState } } }).SR.standin.state());
}

/** Waits until the SDK holds a token (or the given one is replaced) and returns it. */
export async function waitForSdkToken(page: Page, other: string | null = null): Promise<string> {
  const handle = await page.waitForFunction(
    (previous) => {
      const sr = (window as unknown as { SR?: { standin?: { state(): { accessToken: string | null } } } }).SR;
      const token = sr?.standin?.state().accessToken ?? null;
      return token !== null && token !== previous ? token : null;
    },
    other,
    { timeout: 15_000 },
  );
  return (await handle.jsonValue()) as string;
}

/**
 * The server's public key from `GET /public-key`, in whichever form it serves: PEM, the bare
 * one-line base64 Synerise's certificate field takes, a JWK, or JSON holding one of those.
 */
export async function fetchPublicKey(baseUrl: string): Promise<KeyObject> {
  const response = await fetch(`${baseUrl}/public-key`);
  if (!response.ok) throw new Error(`GET /public-key answered ${response.status}`);
  const text = (await response.text()).trim();
  return publicKeyFrom(text.startsWith('{') ? (JSON.parse(text) as unknown) : text);
}

function publicKeyFrom(value: unknown): KeyObject {
  if (typeof value === 'string') {
    // PEM with or without line breaks, or bare base64: the DER inside is what counts.
    const base64 = value.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
    return createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (record.kty === 'RSA') return createPublicKey({ key: record as never, format: 'jwk' });
    if (Array.isArray(record.keys) && record.keys.length > 0) return publicKeyFrom(record.keys[0]);
    for (const field of ['pem', 'publicKey', 'public_key', 'certificate', 'key', 'jwk']) {
      if (field in record) return publicKeyFrom(record[field]);
    }
  }
  throw new Error('GET /public-key returned no public key this test can read');
}

export interface VerifiedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/**
 * Checks an RS256 JWT with Node's own crypto: an implementation independent of the server's.
 * Throws when the signature does not verify.
 */
export function verifyRs256(jwt: string, key: KeyObject): VerifiedJwt {
  const [header, claims, signature] = jwt.split('.');
  if (!header || !claims || !signature) throw new Error('not a JWT');
  const ok = verify('RSA-SHA256', Buffer.from(`${header}.${claims}`), key, Buffer.from(signature, 'base64url'));
  if (!ok) throw new Error('the token signature does not verify against /public-key');
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), claims: decode(claims) };
}

/**
 * Opens one of the demo's pages and waits for the SDK stand-in, failing with what is missing
 * rather than with a timeout on some later click.
 */
export async function openDemo(page: Page, url: string): Promise<void> {
  const response = await page.goto(url);
  if (!response?.ok()) {
    throw new Error(`GET ${url} answered ${response?.status() ?? 'nothing'}: the server does not serve the demo page.`);
  }
  try {
    await page.waitForFunction(() => 'SR' in window, undefined, { timeout: 10_000 });
  } catch {
    throw new Error(`The SDK stand-in (window.SR) did not load on ${url}: is /synerise-standin.js served?`);
  }
}

/**
 * Signs claims with the server's own dev-mode key (DATA_DIR/private.pem), to make tokens the
 * server would never issue, such as one that has already expired.
 */
export function signWithServerKey(dataDir: string, claims: Record<string, unknown>): string {
  const key = createPrivateKey(readFileSync(join(dataDir, 'private.pem')));
  const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
}

/** Fills in and submits the demo's sign-in form. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
