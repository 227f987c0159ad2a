// Compiled (never run) by scripts/test-node with `tsc --noEmit --strict`, against the installed
// package: its declarations must describe what a TypeScript shop writes.
import { Issuer, PerMinute, SyneriseAuthError, answerTokenRequest, customerUuid, identityHash } from '@synerise-auth/server';
import type { IssuedToken, VerifiedToken } from '@synerise-auth/server';
import { syneriseToken } from '@synerise-auth/server/express';
import { tokenRoute } from '@synerise-auth/server/next';

const issuer = new Issuer({ key: 'keys/private.pem', salt: 'salt', ttl: '12h', clock: () => Date.now() });
const issued: Promise<IssuedToken> = issuer.issue('ann@example.com', { uuid: customerUuid('salt', 'ann@example.com') });
const verified: VerifiedToken = issuer.verify('a.b.c', { now: 1 });
const hash: number = identityHash(verified.email);
const line: string = issuer.publicKey('single-line');
const kid: string | null = issuer.kid;
const limit = new PerMinute(30);

export const middleware = syneriseToken({
  issuer,
  customer: (req) => (req.headers['x-customer'] as string | undefined) ?? null,
  limit,
});
export const POST: (request: Request) => Promise<Response> = tokenRoute({
  issuer: () => new Issuer({ key: process.env.SYNERISE_AUTH_KEY!, salt: process.env.SYNERISE_AUTH_UUID_SALT! }),
  customer: async (request) => request.headers.get('x-customer'),
  allowedOrigins: ['https://shop.example'],
});

export async function other(): Promise<number> {
  const answer = await answerTokenRequest({ method: 'POST', header: () => undefined }, { issuer, customer: () => null });
  try {
    await issued;
  } catch (error) {
    if (error instanceof SyneriseAuthError) return error.status;
  }
  return answer.status + hash + line.length + (kid ?? '').length + issuer.jwks().keys.length;
}
