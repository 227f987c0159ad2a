// Tokens from `synerise-auth serve` beside the shop, asked with an API key: the pattern for a back
// end in any language. It has the issuer's `now()` and `issue(email)`, so the same token route
// serves either way; serve's refusals come back with serve's own code.
import { SyneriseAuthError } from '@synerise-auth/server';

/** How long the shop waits for serve before answering 503. */
const TIMEOUT_MS = 5_000;

export class SidecarTokens {
  #url;
  #apiKey;

  constructor(url, apiKey) {
    this.#url = new URL('/generate-jwt', url).href;
    this.#apiKey = apiKey;
  }

  now() {
    return Math.floor(Date.now() / 1000);
  }

  async issue(email) {
    let response;
    try {
      response = await fetch(this.#url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new SyneriseAuthError('token_service_unavailable', 'the token service did not answer; try again', {
        retryAfter: 1,
        cause: error,
      });
    }
    const body = await response.json().catch(() => ({}));
    if (response.ok) return { jwt: body.jwt, uuid: body.uuid, expiresAt: body.expiresAt };
    const retryAfter = Number(response.headers.get('retry-after')) || undefined;
    // serve's own refusals of the shop (a wrong API key) are the shop's fault, not the customer's.
    if (response.status === 401 || response.status >= 500) {
      throw new SyneriseAuthError('token_service_unavailable', `the token service answered ${response.status} ${body.code ?? ''}`.trim(), {
        retryAfter: retryAfter ?? 1,
      });
    }
    throw new SyneriseAuthError(body.code ?? 'internal_error', body.error ?? `the token service answered ${response.status}`, { retryAfter });
  }
}
