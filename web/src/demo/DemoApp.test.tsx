import { act, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { createSyneriseAuth } from '@synerise-auth/browser';

import { installFakeSdk, jsonResponse, mockFetch, removeSdk, tokenReply } from '../../test/helpers';
import { DemoApp } from './DemoApp';
import { VERDICT_EVENT, type Verdict } from './verdicts';

const EMAIL = 'demo@example.com';
const UUID = '5d2c7e1a-9b3f-5a4e-8c6d-1f0e2a3b4c5d';

afterEach(() => {
  removeSdk();
});

function announce(verdict: Verdict) {
  act(() => {
    window.dispatchEvent(new CustomEvent(VERDICT_EVENT, { detail: verdict }));
  });
}

describe('DemoApp', () => {
  it('offers the sign-in form, with the demo account, when nobody is signed in', async () => {
    installFakeSdk();
    mockFetch({ 'GET /api/session': () => jsonResponse(401, { error: 'You are not signed in.', code: 'not_signed_in' }) });

    render(<DemoApp />);

    expect(await screen.findByLabelText('Password')).toBeTruthy();
    expect(screen.getByText(/creates a demo account/).textContent).toContain('demo@example.com');
  });

  it('restores a signed-in session after a reload and shows the token', async () => {
    const { state } = installFakeSdk();
    let n = 0;
    const { requests } = mockFetch({
      'GET /api/session': () => jsonResponse(200, { email: EMAIL }),
      'POST /generate-jwt': () => jsonResponse(200, tokenReply(EMAIL, UUID, 3600, { n: ++n })),
    });

    render(<DemoApp />);

    expect((await screen.findByTestId('signed-in-email')).textContent).toBe(EMAIL);
    await waitFor(() => expect(screen.getByTestId('token-claims').textContent).toContain(UUID));
    expect(JSON.parse(screen.getByTestId('token-header').textContent ?? '{}')).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(state.token).not.toBeNull();
    expect(requests.filter((r) => r.url === '/generate-jwt')).toHaveLength(1);
  });

  it('renews the token once when the gate refuses it, and not for anonymous refusals', async () => {
    const { state } = installFakeSdk();
    let n = 0;
    const { requests } = mockFetch({
      'GET /api/session': () => jsonResponse(200, { email: EMAIL }),
      'POST /generate-jwt': () => jsonResponse(200, tokenReply(EMAIL, UUID, 3600, { n: ++n })),
    });
    render(<DemoApp />);
    await waitFor(() => expect(state.token).not.toBeNull());
    const refused = state.token;
    const tokenRequests = () => requests.filter((r) => r.url === '/generate-jwt').length;

    announce({ action: 'form.submit', label: 'x', uuid: UUID, status: 401, accepted: false, reason: 'token_required', detail: null, tokenSent: null });
    expect(tokenRequests()).toBe(1);

    announce({ action: 'form.submit', label: 'x', uuid: UUID, status: 401, accepted: false, reason: 'expired', detail: 'Expired.', tokenSent: refused });
    await waitFor(() => expect(state.token).not.toBe(refused));
    expect(tokenRequests()).toBe(2);
    expect(await screen.findByText('Expired.', { exact: false })).toBeTruthy();
  });

  it('follows a sign-in and a sign-out made in another tab', async () => {
    const { state } = installFakeSdk();
    mockFetch({
      'GET /api/session': () => jsonResponse(401, { error: 'You are not signed in.', code: 'not_signed_in' }),
      'POST /generate-jwt': () => jsonResponse(200, tokenReply(EMAIL, UUID, 3600)),
      'DELETE /api/session': () => new Response(null, { status: 204 }),
    });
    render(<DemoApp />);
    await screen.findByLabelText('Password');
    // Another tab of the same site, on the same channel.
    const otherTab = createSyneriseAuth();

    try {
      await act(async () => {
        await otherTab.authenticate(EMAIL);
      });
      expect((await screen.findByTestId('signed-in-email')).textContent).toBe(EMAIL);

      await act(async () => {
        await otherTab.logout();
      });
      expect(await screen.findByLabelText('Password')).toBeTruthy();
      expect(state.token).toBeNull();
    } finally {
      otherTab.disconnect();
    }
  });
});
