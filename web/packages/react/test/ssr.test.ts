// @vitest-environment node
// Server-side rendering: both packages imported in plain Node (no window, no bundler), the form
// rendered with react-dom/server, and nothing left running that would keep the process alive.
// Needs `npm run build` first.
import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

const PROGRAM = `
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { createSyneriseAuth } from '@synerise-auth/browser';
import { LoginForm, useSyneriseAuthentication } from '@synerise-auth/react';

function Account() {
  const auth = useSyneriseAuthentication();
  return createElement(LoginForm, { auth, hint: 'Rendered on the server' });
}
const html = renderToString(createElement(Account));

const auth = createSyneriseAuth({ sdkTimeoutMs: 50 });
const failures = [];
auth.onFailure((failure) => failures.push(failure.reason));
const signedIn = await auth.authenticate('ann@example.com');
await new Promise((done) => setTimeout(done, 10));
console.log(JSON.stringify({ html, state: auth.getState(), signedIn, failures }));
`;

describe('server-side rendering', () => {
  it('imports both packages in plain Node and renders the login form', () => {
    // Run from web/, where the workspace links the packages into node_modules, as a shop's
    // install would; the process must end by itself (no timer or channel left open).
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', PROGRAM], {
      cwd: process.cwd(),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as { html: string; state: { status: string }; signedIn: boolean; failures: string[] };
    expect(out.html).toContain('<form');
    expect(out.html).toContain('Rendered on the server');
    expect(out.html).toMatch(/<input[^>]+type="password"/);
    // Without a browser there is no tracker: a clear failure, not an exception.
    expect(out.signedIn).toBe(false);
    expect(out.state.status).toBe('error');
    expect(out.failures).toEqual(['sdk_unavailable']);
  });
});
