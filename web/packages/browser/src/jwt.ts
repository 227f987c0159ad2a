/**
 * Reads a JWT's header and claims WITHOUT checking its signature.
 *
 * The browser never needs to trust a token's content: the server signed it and Synerise (or the
 * local gate) verifies it. This is for display and for scheduling renewal from `exp`.
 */

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

function decodeSegment(segment: string): Record<string, unknown> {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('not a JWT');
  }
  return value as Record<string, unknown>;
}

/** Decodes `header.claims.signature`; throws on anything that is not a three-part JWS. */
export function decodeJwtUnverified(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => p.length === 0)) {
    throw new Error('not a JWT');
  }
  return { header: decodeSegment(parts[0] as string), claims: decodeSegment(parts[1] as string) };
}
