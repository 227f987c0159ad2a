/** Reading what a token endpoint answered: the token, the clocks' skew, or why it failed. */
import { isRecord, type ServerRefusal } from './http';
import { decodeJwtUnverified } from './jwt';
import { SdkUnavailableError } from './sdk';
import type { FailureReason, SyneriseToken } from './types';

export type Refusal = ServerRefusal & { reason: FailureReason };
export type TokenReply = { token: SyneriseToken; skewMs: number } | Refusal;

export const TOKEN_SERVICE = 'token service';
export const INVALID_REPLY = 'The token service sent no valid token.';

/**
 * How far the server's clock is ahead of the browser's. `exp` is the server's time; a browser
 * whose clock is off by hours would otherwise think every token expired (and renew in a loop) or
 * never renew at all. The `Date` header has one-second resolution, which is plenty here.
 */
export function clockSkewMs(response: Response): number {
  const header = response.headers.get('Date');
  const serverNow = header === null ? Number.NaN : Date.parse(header);
  return Number.isFinite(serverNow) ? serverNow - Date.now() : 0;
}

export function messageOf(cause: unknown): string {
  return cause instanceof Error && cause.message ? cause.message : String(cause);
}

/** A failure found here rather than refused by a server: no code, status 0 unless given. */
export function failure(reason: FailureReason, message: string, status = 0): Refusal {
  return { reason, message, code: null, status, retryAfterSeconds: null };
}

/** What a thrown error means: the tracker never loaded, or the request got no answer. */
export function thrown(cause: unknown): Refusal {
  return failure(cause instanceof SdkUnavailableError ? 'sdk_unavailable' : 'network', messageOf(cause));
}

export function reasonFor(status: number): FailureReason {
  if (status === 0) return 'network';
  if (status === 401) return 'not_signed_in';
  if (status === 429) return 'rate_limited';
  return 'server_refused';
}

/**
 * Reads `{jwt, uuid, expiresAt}` and cross-checks it with the token's own claims; `null` for a
 * reply without a token, a uuid or an expiry.
 */
export function parseTokenReply(body: unknown, requestedEmail: string): SyneriseToken | null {
  if (!isRecord(body) || typeof body.jwt !== 'string' || typeof body.uuid !== 'string') return null;
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwtUnverified(body.jwt).claims;
  } catch {
    return null;
  }
  // The reply's expiresAt and the token's exp agree by contract; prefer the reply's, fall back to exp.
  const fromReply = typeof body.expiresAt === 'string' ? Date.parse(body.expiresAt) : Number.NaN;
  const fromClaim = typeof claims.exp === 'number' ? claims.exp * 1000 : Number.NaN;
  const expiresAtMs = Number.isFinite(fromReply) ? fromReply : fromClaim;
  if (!Number.isFinite(expiresAtMs)) return null;
  return {
    jwt: body.jwt,
    uuid: body.uuid,
    email: typeof claims.email === 'string' ? claims.email : requestedEmail,
    expiresAt: new Date(expiresAtMs),
  };
}
