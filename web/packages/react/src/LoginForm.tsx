import { useId, useState, type FormEvent, type ReactNode } from 'react';

import { DEFAULT_SESSION_ENDPOINT, signIn } from '@synerise-auth/browser';
import type { UseSyneriseAuthenticationResult } from './useSyneriseAuthentication';

export interface LoginFormProps {
  /** The result of `useSyneriseAuthentication()`: the form calls `authenticate` and shows `error`. */
  auth: Pick<UseSyneriseAuthenticationResult, 'authenticate' | 'error'>;
  /** Called with the signed-in email once the SDK holds a token. */
  onSuccess?: (email: string) => void;
  /** The sign-in endpoint, `/api/session` by default. */
  sessionEndpoint?: string;
  /** Shown under the title, e.g. a demo account's credentials. */
  hint?: ReactNode;
  title?: string;
}

/**
 * Email and password sign-in for the built-in accounts, then a Synerise token for that customer.
 *
 * Signing in is `POST /api/session` (the server sets an HttpOnly cookie); only after it succeeds
 * does the form ask the hook for a token, so nobody can obtain a token for an address they cannot
 * sign in as. The server's refusal sentence is shown as it is.
 */
export function LoginForm({ auth, onSuccess, sessionEndpoint = DEFAULT_SESSION_ENDPOINT, hint, title = 'Sign in' }: LoginFormProps) {
  const id = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [working, setWorking] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [retryAfter, setRetryAfter] = useState<number | null>(null);
  const [tokenFailed, setTokenFailed] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setWorking(true);
    setRefusal(null);
    setRetryAfter(null);
    setTokenFailed(false);
    try {
      const session = await signIn(email, password, { endpoint: sessionEndpoint });
      if (!session.ok) {
        setRefusal(session.message);
        setRetryAfter(session.retryAfterSeconds);
        return;
      }
      if (await auth.authenticate(session.email)) {
        setPassword('');
        onSuccess?.(session.email);
      } else {
        setTokenFailed(true);
      }
    } finally {
      setWorking(false);
    }
  }

  // The hook's error arrives with the render after authenticate() resolves, hence it is read here.
  const message =
    refusal ?? (tokenFailed ? (auth.error ?? 'You are signed in, but no Synerise token could be obtained.') : null);

  return (
    <form className="sa-login" onSubmit={handleSubmit} aria-busy={working} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {hint ? <div className="sa-login__hint">{hint}</div> : null}
      <fieldset disabled={working}>
        <div className="sa-field">
          <label htmlFor={`${id}-email`}>Email</label>
          <input
            id={`${id}-email`}
            name="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="sa-field">
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <button type="submit" className="sa-button sa-button--primary">
          {working ? 'Signing in…' : 'Sign in'}
        </button>
      </fieldset>
      {message ? (
        <div className="sa-login__error" role="alert">
          <p>{message}</p>
          {retryAfter !== null ? <p>You can try again in {retryAfter} s.</p> : null}
        </div>
      ) : null}
    </form>
  );
}
