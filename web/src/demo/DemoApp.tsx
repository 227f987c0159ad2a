import { useCallback, useEffect, useRef, useState } from 'react';

import { getSession, waitForSdk } from '@synerise-auth/browser';
import { LoginForm, sendPageVisit, useSyneriseAuthentication } from '@synerise-auth/react';
import { EventsPanel, type LoggedVerdict } from './EventsPanel';
import { TokenDetails } from './TokenDetails';
import { onVerdict } from './verdicts';

type Session = { state: 'checking' } | { state: 'signed-out' } | { state: 'signed-in'; email: string };

const DEMO_EMAIL = 'demo@example.com';
const DEMO_PASSWORD = 'synerise-demo';

// A single-page app sends its own page.visit (the tracker only sends one per full load). Module
// scope, so React's development double-mount does not send two.
let pageVisitSent = false;

/** The demo site: sign in, see the token the SDK got, send events and watch their verdicts. */
export function DemoApp() {
  const auth = useSyneriseAuthentication();
  const { authenticate, onTokenRefused } = auth;
  const [session, setSession] = useState<Session>({ state: 'checking' });
  const [sessionProblem, setSessionProblem] = useState<string | null>(null);
  const [verdicts, setVerdicts] = useState<LoggedVerdict[]>([]);
  const nextId = useRef(0);

  useEffect(() => {
    if (pageVisitSent) return;
    pageVisitSent = true;
    waitForSdk()
      .then((sdk) => sendPageVisit(sdk))
      .catch(() => {
        // The hook reports a missing SDK when it matters, at sign-in.
      });
  }, []);

  // Restore the signed-in state after a reload: the session cookie survives it, the token does not.
  useEffect(() => {
    let cancelled = false;
    getSession()
      .then(async (email) => {
        if (cancelled) return;
        if (email === null) {
          setSession({ state: 'signed-out' });
          return;
        }
        setSession({ state: 'signed-in', email });
        await authenticate(email);
      })
      .catch((cause: unknown) => {
        if (cancelled) return;
        setSessionProblem(cause instanceof Error ? cause.message : String(cause));
        setSession({ state: 'signed-out' });
      });
    return () => {
      cancelled = true;
    };
  }, [authenticate]);

  useEffect(
    () =>
      onVerdict((verdict) => {
        setVerdicts((previous) => [{ id: nextId.current++, verdict }, ...previous].slice(0, 12));
        // A token the gate refused (expired, replaced certificate...): renew once. An anonymous
        // event refused for lack of a token is not a token problem.
        if (verdict.status === 401 && verdict.tokenSent) void onTokenRefused(verdict.tokenSent);
      }),
    [onTokenRefused],
  );

  const signedIn = useCallback((email: string) => setSession({ state: 'signed-in', email }), []);

  // The site's tabs are one: a sign-in or sign-out in another tab reaches this one through the
  // core package, and the page follows.
  const tabToken = auth.token;
  const tabStatus = auth.status;
  useEffect(() => {
    if (tabToken) setSession((now) => (now.state === 'signed-in' ? now : { state: 'signed-in', email: tabToken.email }));
    else if (tabStatus === 'idle') setSession((now) => (now.state === 'signed-in' ? { state: 'signed-out' } : now));
  }, [tabToken, tabStatus]);

  async function signOut() {
    await auth.logout();
    setSession({ state: 'signed-out' });
  }

  return (
    <div className="layout">
      <div className="column">
        {session.state === 'checking' ? (
          <section className="card">
            <p className="muted">Checking whether you are signed in…</p>
          </section>
        ) : null}

        {session.state === 'signed-out' ? (
          <section className="card">
            {sessionProblem ? (
              <p className="error" role="alert">
                {sessionProblem}
              </p>
            ) : null}
            <LoginForm
              auth={auth}
              onSuccess={signedIn}
              hint={
                <p>
                  In dev mode the server creates a demo account: <code>{DEMO_EMAIL}</code>, password{' '}
                  <code>{DEMO_PASSWORD}</code>.
                </p>
              }
            />
          </section>
        ) : null}

        {session.state === 'signed-in' ? (
          <section className="card" aria-labelledby="account-title">
            <h2 id="account-title">Signed in</h2>
            <p>
              Signed in as <strong data-testid="signed-in-email">{session.email}</strong>.{' '}
              {auth.status === 'authenticating' ? <span className="muted">Getting a token…</span> : null}
            </p>
            {auth.error ? (
              <div className="error" role="alert">
                <p>{auth.error}</p>
                {auth.token === null ? (
                  <button type="button" className="sa-button" onClick={() => void authenticate(session.email)}>
                    Try again
                  </button>
                ) : null}
              </div>
            ) : null}
            <div className="button-row">
              <button type="button" className="sa-button" disabled={auth.loading} onClick={() => void auth.renew()}>
                Renew token now
              </button>
              <button type="button" className="sa-button sa-button--primary" disabled={auth.loading} onClick={() => void signOut()}>
                Sign out
              </button>
            </div>
          </section>
        ) : null}

        {session.state === 'signed-in' && auth.token ? <TokenDetails token={auth.token} /> : null}
      </div>

      <div className="column">
        <EventsPanel verdicts={verdicts} signedIn={auth.token !== null} />
      </div>
    </div>
  );
}
