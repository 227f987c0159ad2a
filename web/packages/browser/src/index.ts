/**
 * `@synerise-auth/browser`: hands the signed-in customer's Synerise token to Synerise's JS SDK
 * and keeps it valid, in every tab at once. Framework-free, and safe to import where there is no
 * `window` (server-side rendering): nothing here touches the page until it is called.
 */
export * from './auth';
export { DEFAULT_SESSION_ENDPOINT, getSession, signIn, signOut, type SessionRequestOptions, type SignInResult } from './session';
export * from './sdk';
export { decodeJwtUnverified, type DecodedJwt } from './jwt';
export { readRefusal, type ServerRefusal } from './http';
export type { LockManagerLike } from './tabs';
