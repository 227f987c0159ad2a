// The shop's page for a signed-in customer, the same for the Flask shop and the Node shop. The
// shop's own sign-in decided who that is, and its server-rendered page says so in
// `data-customer`; this hands the tracker a token for them from the shop's own route
// (`data-token-route`), and clears it on sign-out.
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { useSyneriseAuthentication } from '@synerise-auth/react';

function Shop({ customer, tokenRoute }) {
  const [failure, setFailure] = useState(null);
  const [signedOut, setSignedOut] = useState(false);
  const auth = useSyneriseAuthentication({
    tokenEndpoint: tokenRoute,
    sessionEndpoint: '/api/session',
    onFailure: (f) => setFailure(f.reason),
  });
  const { authenticate } = auth;

  useEffect(() => {
    if (customer && !signedOut) authenticate(customer);
  }, [customer, signedOut, authenticate]);

  if (signedOut) {
    return (
      <main>
        <h1>You are signed out</h1>
        <a href="/login">Sign in again</a>
      </main>
    );
  }
  return (
    <main>
      <h1>Welcome back</h1>
      <p>
        Signed in as <span id="customer">{customer}</span>
      </p>
      <p id="tracker" data-status={auth.status}>
        {auth.status === 'authenticated' ? 'Your visits are tracked as you.' : 'Connecting your tracker...'}
      </p>
      {failure ? <p id="failure">{failure}</p> : null}
      <button
        onClick={async () => {
          if (await auth.logout()) setSignedOut(true);
        }}
      >
        Sign out
      </button>
    </main>
  );
}

const root = document.getElementById('root');
createRoot(root).render(
  <StrictMode>
    <Shop customer={root.dataset.customer} tokenRoute={root.dataset.tokenRoute} />
  </StrictMode>,
);
