// The event gate run alone (`synerise-auth gate`), as a site whose back end is in another
// language runs it: its start-up banner names the live page, and that page shows each verdict.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { binaryPath, openBrowser, saveScreenshot, type OpenBrowser } from './harness';

const UUID = '6f1c2b0e-8c1d-5f3a-9b7e-2d4c6a8e0f12';

let dir = '';
let stop: () => Promise<void> = async () => {};
let banner: string[] = [];
let address = '';
let browser: OpenBrowser | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'synerise-auth-gate-alone-'));
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certificate = join(dir, 'certificate.pem');
  await writeFile(certificate, publicKey.export({ type: 'spki', format: 'pem' }));
  const child = spawn(binaryPath(), ['gate', '--certificate', certificate, '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'data')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
  };
  address = await new Promise<string>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error('the gate did not print its ready line')), 30_000);
    child.once('exit', (code) => fail(new Error(`the gate exited (${code}) before it was ready`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      banner.push(line);
      const match = /^synerise-auth gate listening on (http:\/\/\S+)$/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        ready(match[1]);
      }
    });
  });
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stop();
  await rm(dir, { recursive: true, force: true });
  banner = [];
});

describe('the gate run alone', () => {
  it('links its live page from the banner, and the page shows the verdicts as they come', async () => {
    const page = browser?.page;
    if (!page) throw new Error('the browser did not start');
    expect(banner).toContain(`  live page: ${address}/gate`);

    const response = await page.goto(`${address}/gate`);
    expect(response?.status()).toBe(200);
    const rows = page.locator('.gate-table tbody tr');

    const post = (action: string) =>
      fetch(`${address}/gate/v1/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ action, label: 'from a PHP back end', client: { uuid: UUID } }),
      });
    expect((await post('page.visit')).status).toBe(202);
    expect((await post('form.submit')).status).toBe(401);

    await page.waitForFunction(() => document.querySelectorAll('.gate-table tbody tr').length >= 2, undefined, { timeout: 15_000 });
    expect(await rows.first().getAttribute('data-accepted')).toBe('false');
    expect(await rows.first().textContent()).toContain('token_required');
    expect(await page.locator('.gate-table tbody tr[data-accepted="true"]').count()).toBe(1);
    await saveScreenshot(page, 'gate-alone.png');
  });
});
