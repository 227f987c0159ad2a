// Key rotation seen from the browser: the service signs with a key directory's active key; after
// `keys new`, `keys activate` and a reload (SIGHUP), the mounted gate (one certificate, as in
// Synerise) refuses the token the page holds with `certificate_replaced`, the hook renews on that
// refusal, and the page's next protected event is accepted.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  DEMO_EMAIL,
  DEMO_PASSWORD,
  binaryPath,
  openBrowser,
  openDemo,
  signIn,
  startServer,
  waitForSdkToken,
  type OpenBrowser,
  type RunningServer,
} from './harness';
import type { Verdict } from '../src/demo/verdicts';

let keyParent: string | undefined;
let keyDir = '';
let server: RunningServer | undefined;
let browser: OpenBrowser | undefined;

/** `synerise-auth keys ACTION --dir KEYDIR ...`; its standard output. */
function keys(...args: string[]): string {
  const [action, ...rest] = args;
  return execFileSync(binaryPath(), ['keys', action as string, '--dir', keyDir, ...rest], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

beforeAll(async () => {
  keyParent = await mkdtemp(join(tmpdir(), 'synerise-auth-keys-'));
  keyDir = join(keyParent, 'keys');
  keys('init');
  server = await startServer(['--key', keyDir, '--token-ttl', '1h']);
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (keyParent) await rm(keyParent, { recursive: true, force: true });
});

async function sendFormSubmit(page: Page): Promise<Verdict> {
  const verdict = page.evaluate(
    () =>
      new Promise<Verdict>((resolve) => {
        window.addEventListener(
          'synerise:verdict',
          (e) => {
            const detail = (e as CustomEvent<Verdict>).detail;
            if (detail.action === 'form.submit') resolve(detail);
          },
        );
      }),
  );
  await page.getByRole('button', { name: 'Send form.submit' }).click();
  return verdict;
}

async function activeKid(url: string): Promise<string> {
  const health = (await (await fetch(`${url}/healthz`)).json()) as { kid: string };
  return health.kid;
}

function headerKid(jwt: string): unknown {
  const header = JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  return header.kid;
}

describe('key rotation', () => {
  it('renews on certificate_replaced after the switch, and the next protected event is accepted', async () => {
    if (!server || !browser) throw new Error('the server or the browser did not start');
    const { url } = server;
    const { page } = browser;
    const oldKid = await activeKid(url);

    await openDemo(page, url);
    await signIn(page, DEMO_EMAIL, DEMO_PASSWORD);
    const before = await waitForSdkToken(page);
    expect(await sendFormSubmit(page)).toMatchObject({ accepted: true, status: 202, tokenSent: before });

    // The next key, pasted into Synerise and activated back to back, then the reload.
    keys('new');
    const activated = keys('activate');
    const newKid = /active: (\S+)/.exec(activated)?.[1];
    expect(newKid).toBeTruthy();
    expect(newKid).not.toBe(oldKid);
    server.signal('SIGHUP');
    const deadline = Date.now() + 15_000;
    while ((await activeKid(url)) !== newKid) {
      if (Date.now() > deadline) throw new Error('the server did not switch keys after SIGHUP');
      await new Promise((done) => setTimeout(done, 100));
    }

    // The token the page holds is now refused, and the hook renews on that refusal.
    const refused = await sendFormSubmit(page);
    expect(refused).toMatchObject({ accepted: false, status: 401, reason: 'certificate_replaced', tokenSent: before });
    const renewed = await waitForSdkToken(page, before);
    expect(headerKid(renewed)).toBe(newKid);

    const accepted = await sendFormSubmit(page);
    expect(accepted).toMatchObject({ accepted: true, status: 202, tokenSent: renewed });
  });
});
