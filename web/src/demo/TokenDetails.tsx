import { decodeJwtUnverified } from '@synerise-auth/browser';
import type { SyneriseToken } from '@synerise-auth/react';
import { relativeTime, utc } from './format';
import { useNow } from './useNow';

/** The token the SDK holds: its three parts, its decoded header and claims, and when it expires. */
export function TokenDetails({ token }: { token: SyneriseToken }) {
  const now = useNow();
  let decoded: ReturnType<typeof decodeJwtUnverified> | null = null;
  try {
    decoded = decodeJwtUnverified(token.jwt);
  } catch {
    decoded = null;
  }
  const [header = '', claims = '', signature = ''] = token.jwt.split('.');
  const expired = token.expiresAt.getTime() <= now;

  return (
    <section className="card" aria-labelledby="token-title">
      <h2 id="token-title">The token handed to the SDK</h2>
      <dl className="facts">
        <dt>Expires</dt>
        <dd data-testid="token-expiry">
          {utc(token.expiresAt)}{' '}
          <span className={expired ? 'muted muted--bad' : 'muted'}>
            ({expired ? 'expired ' : ''}
            {relativeTime(token.expiresAt.getTime(), now)})
          </span>
        </dd>
        <dt>Customer uuid</dt>
        <dd>
          <code>{token.uuid}</code>
        </dd>
      </dl>
      <p className="jwt" aria-label="Encoded token">
        <span className="jwt__header">{header}</span>.<span className="jwt__claims">{claims}</span>.
        <span className="jwt__signature">{signature}</span>
      </p>
      {decoded ? (
        <div className="json-pair">
          <div>
            <h3>Header</h3>
            <pre data-testid="token-header">{JSON.stringify(decoded.header, null, 2)}</pre>
          </div>
          <div>
            <h3>Claims</h3>
            <pre data-testid="token-claims">{JSON.stringify(decoded.claims, null, 2)}</pre>
          </div>
        </div>
      ) : (
        <p className="error">This token cannot be decoded.</p>
      )}
      <p className="muted small">
        Decoded here without checking the signature: the browser has no reason to trust it, Synerise
        (locally, the event gate) verifies it against the registered public key.
      </p>
    </section>
  );
}
