// Sign-in in a real browser against the real server: the token that reaches the SDK verifies
// with the server's public key, carries the customer's email and the server's uuid, and goes
// away on sign-out; a wrong password gets no token; a reload keeps the session. Also saves the
// signed-in page's screenshot docs/integrate.md shows.
import type { Response as PlaywrightResponse } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import {
  DEMO_EMAIL,
  DEMO_PASSWORD,
  fetchPublicKey,
  openDemo,
  saveScreenshot,
  serverAndFreshBrowser,
  sdkState,
  signIn,
  verifyRs256,
  waitForSdkToken,
} from './harness';

const running = serverAndFreshBrowser();

const isPost = (path: string) => (response: PlaywrightResponse) =>
  new URL(response.url()).pathname === path && response.request().method() === 'POST';

describe('signing in from the browser', () => {
  it("hands the SDK a token that verifies with /public-key and carries the email and the server's uuid", async () => {
    const { url, page } = running();
    await openDemo(page, url);

    const [tokenResponse] = await Promise.all([
      page.waitForResponse(isPost('/generate-jwt')),
      signIn(page, DEMO_EMAIL, DEMO_PASSWORD),
    ]);

    const reply = (await tokenResponse.json()) as { jwt: string; uuid: string; expiresAt: string };
    const jwt = await waitForSdkToken(page);
    expect(jwt).toBe(reply.jwt);

    const key = await fetchPublicKey(url);
    const { header, claims } = verifyRs256(jwt, key);
    expect(header.alg).toBe('RS256');
    expect(claims.email).toBe(DEMO_EMAIL);
    expect(claims.uuid).toBe(reply.uuid);
    expect(typeof claims.exp).toBe('number');
    expect(Math.abs((claims.exp as number) * 1000 - Date.parse(reply.expiresAt))).toBeLessThan(1000);
    expect((claims.exp as number) * 1000).toBeGreaterThan(Date.now());

    // A token altered in one claim must not verify: the check above is a real one.
    const [h, , s] = jwt.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, email: 'mallory@example.com' })).toString('base64url');
    expect(() => verifyRs256(`${h}.${forged}.${s}`, key)).toThrow(/does not verify/);

    // The tracker now sends events as the server's uuid for this customer.
    const state = await sdkState(page);
    expect(state.uuid).toBe(reply.uuid);
    expect(state.identityHash).not.toBeNull();

    // And the page shows who is signed in and the decoded claims.
    expect(await page.getByTestId('signed-in-email').textContent()).toBe(DEMO_EMAIL);
    expect(await page.getByTestId('token-claims').textContent()).toContain(reply.uuid);
    await page.locator('.verdicts li').first().waitFor();
    await saveScreenshot(page, 'signed-in.png');
  });

  it("shows the server's refusal for a wrong password and hands the SDK no token", async () => {
    const { url, page } = running();
    const tokenRequests: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/generate-jwt') tokenRequests.push(request.method());
    });
    await openDemo(page, url);

    const [response] = await Promise.all([
      page.waitForResponse(isPost('/api/session')),
      signIn(page, DEMO_EMAIL, 'not-the-password'),
    ]);

    expect(response.status()).toBe(401);
    const body = (await response.json()) as { error: string; code: string };
    expect(body.code).toBe('invalid_credentials');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect((await alert.textContent())?.trim()).toBe(body.error);
    expect(tokenRequests).toEqual([]);
    expect((await sdkState(page)).accessToken).toBeNull();
    expect(await page.getByRole('button', { name: 'Sign in' }).isEnabled()).toBe(true);
  });

  it('clears the token on sign-out and ends the session on the server', async () => {
    const { url, page } = running();
    await openDemo(page, url);
    await signIn(page, DEMO_EMAIL, DEMO_PASSWORD);
    await waitForSdkToken(page);

    await page.getByRole('button', { name: 'Sign out' }).click();

    await page.getByLabel('Password').waitFor();
    expect((await sdkState(page)).accessToken).toBeNull();
    const status = await page.evaluate(async () => (await fetch('/api/session', { credentials: 'same-origin' })).status);
    expect(status).toBe(401);
  });

  it('keeps the session across a reload and gets the SDK a valid token again', async () => {
    const { url, page } = running();
    await openDemo(page, url);
    await signIn(page, DEMO_EMAIL, DEMO_PASSWORD);
    await waitForSdkToken(page);

    await page.reload();

    await page.getByTestId('signed-in-email').waitFor();
    const jwt = await waitForSdkToken(page);
    const { claims } = verifyRs256(jwt, await fetchPublicKey(url));
    expect(claims.email).toBe(DEMO_EMAIL);
    expect((await sdkState(page)).uuid).toBe(claims.uuid);
  });
});
