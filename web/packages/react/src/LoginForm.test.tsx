import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { deferred, installFakeSdk, jsonResponse, mockFetch, removeSdk, tokenReply } from '../../../test/helpers';
import { useSyneriseAuthentication } from './useSyneriseAuthentication';
import { LoginForm } from './LoginForm';

const EMAIL = 'demo@example.com';
const PASSWORD = 'synerise-demo';

afterEach(() => {
  removeSdk();
});

/** A stand-in for the hook whose authenticate() the test controls. */
function fakeAuth(result = true, error: string | null = null) {
  const authenticate = vi.fn(async (_email: string) => result);
  return { authenticate, error };
}

async function fillAndSubmit(email = EMAIL, password = PASSWORD) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Email'), email);
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  return user;
}

describe('LoginForm', () => {
  it('labels its fields and can be used with the keyboard alone', async () => {
    mockFetch({ 'POST /api/session': () => jsonResponse(200, { email: EMAIL }) });
    const auth = fakeAuth();
    const onSuccess = vi.fn();
    render(<LoginForm auth={auth} onSuccess={onSuccess} />);

    const email = screen.getByLabelText('Email');
    const password = screen.getByLabelText('Password');
    expect(email).toHaveProperty('type', 'email');
    expect(password).toHaveProperty('type', 'password');
    expect(screen.getByRole('form', { name: 'Sign in' })).toBeTruthy();

    const user = userEvent.setup();
    await user.tab();
    expect(document.activeElement).toBe(email);
    await user.keyboard(EMAIL);
    await user.tab();
    expect(document.activeElement).toBe(password);
    await user.keyboard(`${PASSWORD}{Enter}`);

    await waitFor(() => expect(onSuccess).toHaveBeenCalledWith(EMAIL));
  });

  it('signs in with the email and password, then authenticates the email the server returned', async () => {
    const { requests } = mockFetch({
      // The server normalises the address; the form must use its version.
      'POST /api/session': () => jsonResponse(200, { email: EMAIL }),
    });
    const auth = fakeAuth();
    const onSuccess = vi.fn();
    render(<LoginForm auth={auth} onSuccess={onSuccess} />);

    await fillAndSubmit('demo@EXAMPLE.com', PASSWORD);

    await waitFor(() => expect(onSuccess).toHaveBeenCalledTimes(1));
    expect(requests[0]).toMatchObject({
      method: 'POST',
      url: '/api/session',
      credentials: 'same-origin',
      body: { email: 'demo@EXAMPLE.com', password: PASSWORD },
    });
    expect(auth.authenticate).toHaveBeenCalledWith(EMAIL);
    expect(onSuccess).toHaveBeenCalledWith(EMAIL);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByLabelText('Password')).toHaveProperty('value', '');
  });

  it('is disabled while it works', async () => {
    const answer = deferred<Response>();
    mockFetch({ 'POST /api/session': () => answer.promise });
    render(<LoginForm auth={fakeAuth()} />);

    await fillAndSubmit();

    const button = await screen.findByRole('button', { name: 'Signing in…' });
    // Controls inside a disabled fieldset are disabled for the user though their own flag is unset.
    expect(button.matches(':disabled')).toBe(true);
    expect(screen.getByLabelText('Email').matches(':disabled')).toBe(true);
    expect(screen.getByLabelText('Password').matches(':disabled')).toBe(true);
    expect(screen.getByRole('form').getAttribute('aria-busy')).toBe('true');

    answer.resolve(jsonResponse(200, { email: EMAIL }));
    const again = await screen.findByRole('button', { name: 'Sign in' });
    expect(again.matches(':disabled')).toBe(false);
    expect(screen.getByLabelText('Email').matches(':disabled')).toBe(false);
  });

  it("shows the server's sentence when the password is wrong, and asks for no token", async () => {
    mockFetch({
      'POST /api/session': () =>
        jsonResponse(401, { error: 'The email or password is not right.', code: 'invalid_credentials' }),
    });
    const auth = fakeAuth();
    const onSuccess = vi.fn();
    render(<LoginForm auth={auth} onSuccess={onSuccess} />);

    await fillAndSubmit(EMAIL, 'wrong');

    expect((await screen.findByRole('alert')).textContent).toBe('The email or password is not right.');
    expect(auth.authenticate).not.toHaveBeenCalled();
    expect(onSuccess).not.toHaveBeenCalled();
  });

  it('says when to try again after too many attempts', async () => {
    mockFetch({
      'POST /api/session': () =>
        jsonResponse(429, { error: 'Too many sign-in attempts.', code: 'rate_limited' }, { 'Retry-After': '30' }),
    });
    render(<LoginForm auth={fakeAuth()} />);

    await fillAndSubmit();

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Too many sign-in attempts.');
    expect(alert.textContent).toContain('You can try again in 30 s.');
  });

  it('says so when the server cannot be reached', async () => {
    mockFetch({
      'POST /api/session': () => {
        throw new TypeError('Failed to fetch');
      },
    });
    render(<LoginForm auth={fakeAuth()} />);

    await fillAndSubmit();

    expect((await screen.findByRole('alert')).textContent).toMatch(/Could not reach the sign-in service/);
  });

  it("shows the hook's error when the token cannot be obtained after signing in", async () => {
    mockFetch({ 'POST /api/session': () => jsonResponse(200, { email: EMAIL }) });
    const onSuccess = vi.fn();
    // The hook's error arrives in the render after authenticate() resolves, as it does for real.
    function Harness() {
      const [error, setError] = useState<string | null>(null);
      const authenticate = async () => {
        setError('The token service is not configured.');
        return false;
      };
      return <LoginForm auth={{ authenticate, error }} onSuccess={onSuccess} />;
    }
    render(<Harness />);

    await fillAndSubmit();

    expect((await screen.findByRole('alert')).textContent).toBe('The token service is not configured.');
    expect(onSuccess).not.toHaveBeenCalled();
  });

  it('gets the token to the SDK when used with the real hook', async () => {
    const { state } = installFakeSdk();
    const reply = tokenReply(EMAIL, '0f0e0d0c-0b0a-5909-8807-060504030201', 3600);
    mockFetch({
      'POST /api/session': () => jsonResponse(200, { email: EMAIL }),
      'POST /generate-jwt': () => jsonResponse(200, reply),
    });
    const onSuccess = vi.fn();
    function Page() {
      const auth = useSyneriseAuthentication();
      return <LoginForm auth={auth} onSuccess={onSuccess} />;
    }
    render(<Page />);

    await fillAndSubmit();

    await waitFor(() => expect(onSuccess).toHaveBeenCalledWith(EMAIL));
    expect(state.token).toBe(reply.jwt);
    expect(state.uuid).toBe(reply.uuid);
  });
});
