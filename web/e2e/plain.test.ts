// The one-script page /plain in a real browser against the real server: sign-in with plain HTML
// and /sdk/synerise-auth.js, a token that verifies, events with their verdicts; and two tabs of
// one browser that sign in, renew and sign out as one. Also saves the page's screenshot.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  DEMO_EMAIL,
  DEMO_PASSWORD,
  fetchPublicKey,
  openBrowser,
  openDemo,
  saveScreenshot,
  sdkState,
  signIn,
  startServer,
  verifyRs256,
  waitForSdkToken,
  type OpenBrowser,
  type RunningServer,
} from './harness';

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

function running() {
  if (!server || !browser) throw new Error('the server or the browser did not start');
  return { url: server.url, page: browser.page, context: browser.context };
}

/** Sends an event through the tracker on `page` and resolves with the line the page shows for it. */
async function send(page: Page, kind: 'form' | 'visit') {
  const before = await page.locator('#verdicts li').count();
  await page.getByRole('button', { name: kind === 'form' ? 'Send form.submit' : 'Send page.visit' }).click();
  const line = await page.waitForFunction(
    (count) => {
      const items = document.querySelectorAll('#verdicts li');
      return items.length > count ? items[0]?.textContent : null;
    },
    before,
  );
  return line.jsonValue();
}

describe('the one-script page', () => {
  it('serves the built script and signs a customer in with plain HTML', async () => {
    const { url, page } = running();
    const served = await (await fetch(`${url}/sdk/synerise-auth.js`)).text();
    expect(served).toBe(readFileSync(resolve(process.cwd(), 'packages/browser/dist/synerise-auth.js'), 'utf8'));

    await openDemo(page, `${url}/plain`);
    expect(await page.evaluate(() => typeof (window as unknown as { SyneriseAuth?: unknown }).SyneriseAuth)).toBe('object');
    expect(await page.evaluate(() => 'React' in window || document.querySelector('#root') !== null)).toBe(false);

    expect(await send(page, 'form')).toBe('form.submit without a token: refused: token_required');
    await signIn(page, DEMO_EMAIL, DEMO_PASSWORD);
    const jwt = await waitForSdkToken(page);
    const { claims } = verifyRs256(jwt, await fetchPublicKey(url));
    expect(claims.email).toBe(DEMO_EMAIL);
    expect(await page.locator('#who').textContent()).toBe(DEMO_EMAIL);
    expect((await sdkState(page)).uuid).toBe(claims.uuid);
    expect(await send(page, 'form')).toBe('form.submit with a token: accepted');
    await send(page, 'visit');
    await saveScreenshot(page, 'plain.png');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Password').waitFor();
    expect((await sdkState(page)).accessToken).toBeNull();
    expect(await send(page, 'form')).toBe('form.submit without a token: refused: token_required');
  });

  it('shows a wrong password as the server words it', async () => {
    const { url, page } = running();
    await openDemo(page, `${url}/plain`);
    await signIn(page, DEMO_EMAIL, 'not the password');
    await page.locator('#problem:not([hidden])').waitFor();
    expect(await page.locator('#problem').textContent()).toMatch(/wrong email or password/i);
    expect((await sdkState(page)).accessToken).toBeNull();
  });
});

describe('two tabs of one browser', () => {
  it('sign in once, renew with one request between them, and sign out together', async () => {
    const { url, page: first, context } = running();
    const second = await context.newPage();
    const tokenRequests: string[] = [];
    context.on('request', (request) => {
      if (new URL(request.url()).pathname === '/generate-jwt') tokenRequests.push(request.url());
    });
    await openDemo(first, `${url}/plain`);
    await openDemo(second, `${url}/plain`);

    // Signed in in one tab: the other gets the token too, without asking the server.
    await signIn(first, DEMO_EMAIL, DEMO_PASSWORD);
    const token = await waitForSdkToken(first);
    expect(await waitForSdkToken(second)).toBe(token);
    await second.locator('#signed-in:not([hidden])').waitFor();
    expect(tokenRequests).toHaveLength(1);

    // Both tabs renew at the same moment: one request reaches the server. The server's answer is
    // held back a second, so that the second tab's call starts while the first one's request is
    // still on its way however busy the machine (otherwise it may start after the new token
    // reached it, and rightly renew that one).
    await context.route('**/generate-jwt', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await route.continue();
    });
    const renew = (page: Page) => page.evaluate(() => (window as unknown as { plainAuth: { renew(): Promise<boolean> } }).plainAuth.renew());
    expect(await Promise.all([renew(first), renew(second)])).toEqual([true, true]);
    await context.unrouteAll();
    expect(tokenRequests).toHaveLength(2);
    const [held1, held2] = await Promise.all([sdkState(first), sdkState(second)]);
    expect(held1.accessToken).toBe(held2.accessToken);
    expect(held1.accessToken).not.toBeNull();

    // Signed out in the second tab: the first one forgets its token too.
    await second.getByRole('button', { name: 'Sign out' }).click();
    await first.getByLabel('Password').waitFor();
    expect((await sdkState(first)).accessToken).toBeNull();
    expect(await send(first, 'form')).toBe('form.submit without a token: refused: token_required');
    expect(tokenRequests).toHaveLength(2);
  });
});

describe('two tabs at renewal time', () => {
  let shortLived: RunningServer | undefined;

  beforeAll(async () => {
    // One-minute tokens, each renewal a new one: each tab's timer renews halfway through, at the
    // same moment.
    shortLived = await startServer(['--token-ttl', '1m'], { SYNERISE_AUTH_TOKEN_CACHE__ENABLED: 'off' });
  });

  afterAll(async () => {
    await shortLived?.stop();
  });

  it("send one token request when both tabs' timers fire", async () => {
    const { page: first, context } = running();
    if (!shortLived) throw new Error('the server did not start');
    const second = await context.newPage();
    // Which tab asked, and when (ms after the first request): a failure then says which one.
    const tokenRequests: string[] = [];
    let firstAt = 0;
    context.on('request', (request) => {
      if (new URL(request.url()).pathname !== '/generate-jwt') return;
      firstAt ||= Date.now();
      const tab = request.frame().page() === first ? 'first' : 'second';
      tokenRequests.push(`${tab} tab at +${Date.now() - firstAt} ms`);
    });
    await openDemo(first, `${shortLived.url}/plain`);
    await openDemo(second, `${shortLived.url}/plain`);
    await signIn(first, DEMO_EMAIL, DEMO_PASSWORD);
    const token = await waitForSdkToken(first);
    expect(await waitForSdkToken(second)).toBe(token);
    expect(tokenRequests, tokenRequests.join('; ')).toHaveLength(1);

    // Renewal is due 30 s after sign-in; wait for it and a few seconds more.
    const renewed = await waitForSdkToken(first, token).catch(() => null);
    const deadline = Date.now() + 45_000;
    let current = renewed;
    while (current === null && Date.now() < deadline) {
      current = await waitForSdkToken(first, token).catch(() => null);
    }
    expect(current).not.toBeNull();
    await new Promise((done) => setTimeout(done, 3_000));

    expect(tokenRequests, tokenRequests.join('; ')).toHaveLength(2);
    expect((await sdkState(second)).accessToken).toBe(current);
  }, 90_000);
});

