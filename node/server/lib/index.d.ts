/** How an Issuer is made. */
export interface IssuerOptions {
  /** A private key file (PEM; a set of one) or a key directory made by `synerise-auth keys init`. */
  key: string;
  /** The secret salt of customer UUIDs: the same as the service's `uuid_salt`. */
  salt: string;
  /** The token lifetime: seconds, or text such as `7d`, `12h`, `90m`; 7 days by default. */
  ttl?: number | string;
  /** The `kid` header for a key file: `none` (default), `thumbprint` or a fixed string. */
  kid?: string;
  /** Hand a customer the token signed for them less than 10 minutes ago, as `serve` does; true by default. */
  reuse?: boolean;
  /** Milliseconds since the epoch; `Date.now` by default. */
  clock?: () => number;
}

/** A token just signed. */
export interface IssuedToken {
  /** The compact RS256 JWT, for `SR.client.setAccessToken`. */
  jwt: string;
  /** The customer's UUID, as in the token's `uuid` claim. */
  uuid: string;
  /** When the token expires: RFC 3339, UTC. */
  expiresAt: string;
  /** The same instant in seconds since the epoch (the `exp` claim). */
  exp: number;
}

/** A token that verified. */
export interface VerifiedToken {
  email: string;
  uuid: string;
  exp: number;
  iat?: number;
  kid?: string;
}

export type PublicKeyFormat = 'single-line' | 'pem' | 'base64' | 'jwk';

export interface Jwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

/** Issues, verifies and publishes Synerise tokens from a key file or key directory. */
export declare class Issuer {
  /** Throws SyneriseAuthError `key_set_invalid`, `invalid_salt` or `invalid_ttl`. */
  constructor(options: IssuerOptions);
  /** A token for `email`: reused from the last 10 minutes, or signed on libuv's thread pool. Rejects with `invalid_email`, `invalid_uuid`. */
  issue(email: string, options?: { uuid?: string }): Promise<IssuedToken>;
  /** Throws `malformed_token`, `wrong_algorithm`, `unknown_key`, `bad_signature`, `expired`, ... */
  verify(token: string, options?: { now?: number }): VerifiedToken;
  /** The customer's UUID for `email` under this issuer's salt. */
  customerUuid(email: string): string;
  /** The active public key; Synerise's one-line form by default. */
  publicKey(format?: PublicKeyFormat): string;
  /** The JWK Set: active, next, and retired keys whose tokens may still be valid. */
  jwks(): { keys: Jwk[] };
  /** Reads the key set again; on an error (`key_set_invalid`) the keys in use stay. */
  reload(): void;
  /** The current time in seconds, by this issuer's clock. */
  now(): number;
  readonly kid: string | null;
  readonly ttlSeconds: number;
}

/** A per-key limit of N requests a minute (the service's limiter). */
export declare class PerMinute {
  /** `0` means unlimited. */
  constructor(perMinute: number);
  /** Counts one request: 0 when allowed, otherwise the seconds to wait. */
  check(key: string): number;
}

/** Every failure of this package: a stable `code` and the HTTP status a token endpoint answers. */
export declare class SyneriseAuthError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryAfter?: number;
}

/** The token-endpoint options every handler takes. */
export interface TokenEndpointOptions<Req> {
  /**
   * The issuer, or a function that makes it on the first request and is then kept (for a
   * framework that imports the route at build time, without the key: Next.js). If the function
   * throws, the request is answered 500 and the next request calls it again.
   */
  issuer: Issuer | (() => Issuer);
  /** The signed-in customer's email from the shop's own session, or null when signed out. */
  customer: (request: Req) => string | null | undefined | Promise<string | null | undefined>;
  /** A per-customer limit, e.g. `new PerMinute(30)`. */
  limit?: PerMinute;
  /** Other origins (lower case, `https://shop.example`) whose pages may ask. */
  allowedOrigins?: string[];
  /** Told of unexpected errors (answered 500) and of a `customer` callback that threw (503). */
  onError?: (error: unknown) => void;
}

export interface TokenRequest {
  method: string;
  /** A header by its lower-case name. */
  header: (name: string) => string | undefined;
  /** Raw text or Buffer, a parsed object, or a promise of one. */
  body?: unknown;
}

export interface TokenAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The token-endpoint contract as a pure function, for any framework. */
export declare function answerTokenRequest(
  request: TokenRequest,
  options: Omit<TokenEndpointOptions<never>, 'customer'> & {
    customer: () => string | null | undefined | Promise<string | null | undefined>;
  },
): Promise<TokenAnswer>;

/** The service's same-site check on `Sec-Fetch-Site` and `Origin`. */
export declare function isSameSite(header: (name: string) => string | undefined, allowedOrigins: string[]): boolean;

/** UUIDv5 (URL namespace) of `salt + email`, as Synerise derives a customer's UUID. */
export declare function customerUuid(salt: string, email: string): string;

/** Synerise's identity hash of an identifier (a signed 32-bit integer). */
export declare function identityHash(identifier: string): number;
