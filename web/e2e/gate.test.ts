// Events through the real gate: anonymous page.visit accepted, form.submit refused without a
// token, accepted with one, refused again after sign-out, and refused as expired with a token past
// its exp. Also saves the screenshots docs/event-gate.md and docs/integrate.md show.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  DEMO_EMAIL,
  DEMO_PASSWORD,
  openBrowser,
  openDemo,
  saveScreenshot,
  sdkState,
  signIn,
  signWithServerKey,
  startServer,
  waitForSdkToken,
  type OpenBrowser,
  type RunningServer,
} from './harness';
import type { Verdict } from '../src/demo/verdicts';

interface GateEvent {
  id: string | number;
  at: string;
  action: string;
  label: string;
  uuid: string;
  accepted: boolean;
  reason: string | null;
  detail: string | null;
}

let server: RunningServer | undefined;
let browser: OpenBrowser | undefined;

beforeAll(async () => {
  server = await startServer();
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

function running() {
  if (!server || !browser) throw new Error('the server or the browser did not start');
  return { url: server.url, dataDir: server.dataDir, page: browser.page };
}

type EventName = 'page.visit' | 'custom event' | 'form.submit';

/** Clicks the demo's button for an event and returns the verdict the stand-in announced for it. */
async function sendFromPage(page: Page, name: EventName): Promise<Verdict> {
  const verdict = page.evaluate(
    () =>
      new Promise<Verdict>((resolve) => {
        window.addEventListener('synerise:verdict', (e) => resolve((e as CustomEvent<Verdict>).detail), { once: true });
      }),
  );
  await page.getByRole('button', { name: `Send ${name}` }).click();
  return verdict;
}

async function gateLog(url: string): Promise<GateEvent[]> {
  const response = await fetch(`${url}/gate/v1/events?limit=50`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: GateEvent[] }).events;
}

describe('events through the gate', () => {
  it('accepts anonymous page visits, and form.submit only with a token', async () => {
    const { url, page } = running();
    await openDemo(page, url);
    await page.getByLabel('Email').waitFor();
    // The demo sends its own page.visit on load; let it land so it is not mistaken for ours.
    await page.locator('.verdicts li[data-action="page.visit"]').first().waitFor();
    const anonymousUuid = (await sdkState(page)).uuid;

    const visit = await sendFromPage(page, 'page.visit');
    expect(visit).toMatchObject({ action: 'page.visit', accepted: true, status: 202, tokenSent: null });
    expect(visit.uuid).toBe(anonymousUuid);

    const before = await sendFromPage(page, 'form.submit');
    expect(before).toMatchObject({ action: 'form.submit', accepted: false, status: 401, reason: 'token_required' });

    await signIn(page, DEMO_EMAIL, DEMO_PASSWORD);
    const jwt = await waitForSdkToken(page);

    const signedIn = await sendFromPage(page, 'form.submit');
    expect(signedIn).toMatchObject({ action: 'form.submit', accepted: true, status: 202, tokenSent: jwt });
    expect(signedIn.uuid).not.toBe(anonymousUuid);
    const custom = await sendFromPage(page, 'custom event');
    expect(custom.accepted).toBe(true);

    // The verdicts are on the page, newest first.
    const first = page.locator('.verdicts li').first();
    expect(await first.getAttribute('data-action')).toBe('demo.buttonClicked');
    expect(await first.getAttribute('data-accepted')).toBe('true');
    await saveScreenshot(page, 'events.png');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Password').waitFor();

    const after = await sendFromPage(page, 'form.submit');
    expect(after).toMatchObject({ action: 'form.submit', accepted: false, status: 401, reason: 'token_required', tokenSent: null });

    // The gate kept every decision, newest first, with the uuid each event came from.
    const log = await gateLog(url);
    const forms = log.filter((e) => e.action === 'form.submit').map((e) => [e.accepted, e.reason]);
    expect(forms.slice(0, 3)).toEqual([
      [false, 'token_required'],
      [true, null],
      [false, 'token_required'],
    ]);
    const acceptedForm = log.find((e) => e.action === 'form.submit' && e.accepted);
    expect(acceptedForm?.uuid).toBe(signedIn.uuid);
    expect(log.some((e) => e.action === 'page.visit' && e.accepted && e.uuid === anonymousUuid)).toBe(true);
  });

  it('refuses a token whose exp has passed, with expired', async () => {
    const { url, dataDir, page } = running();
    await openDemo(page, url);
    const { uuid } = await sdkState(page);
    // Signed with the server's key and for this visitor's uuid: only its expiry is wrong. Ten
    // minutes in the past, well beyond any leeway the verifier allows.
    const expired = signWithServerKey(dataDir, {
      exp: Math.floor(Date.now() / 1000) - 600,
      uuid,
      email: DEMO_EMAIL,
    });

    const verdict = await page.evaluate(async (jwt) => {
      const sr = (window as unknown as { SR: { client: { setAccessToken(t: string | null): void }; event: { sendFormData(label: string, params: object): Promise<Verdict> } } }).SR;
      sr.client.setAccessToken(jwt);
      try {
        return await sr.event.sendFormData('Expired token check', {});
      } finally {
        sr.client.setAccessToken(null);
      }
    }, expired);

    expect(verdict).toMatchObject({ action: 'form.submit', accepted: false, status: 401, reason: 'expired', tokenSent: expired });
    expect(verdict.detail).toBeTruthy();
  });

  it('shows the decisions live on /gate, with working filters', async () => {
    const { url, page } = running();
    await openDemo(page, `${url}/gate`);
    const rows = page.locator('.gate-table tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThanOrEqual(4);
    await saveScreenshot(page, 'gate.png');

    // A new event appears without a reload.
    const countBefore = await rows.count();
    await fetch(`${url}/gate/v1/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        action: 'page.visit',
        label: 'from the test',
        client: { uuid: '9a1f7c52-3e4b-4d6a-8f0e-2b5c7d9e1a34' },
        params: {},
      }),
    });
    await page.waitForFunction((n) => document.querySelectorAll('.gate-table tbody tr').length > n, countBefore, {
      timeout: 10_000,
    });

    await page.getByText('Refused', { exact: true }).click();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.gate-table tbody tr')].every((row) => row.getAttribute('data-accepted') === 'false'),
    );
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.gate-table tbody tr[data-accepted="true"]').count()).toBe(0);
  });
});
