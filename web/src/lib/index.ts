/**
 * What a site copies or imports: the hook, the login form, the session calls and the SDK module.
 * The demo (src/demo) uses only this surface.
 */
export * from './useSyneriseAuthentication';
export * from './LoginForm';
export * from './session';
export * from './sdk';
export { decodeJwtUnverified, type DecodedJwt } from './jwt';
export type { ServerRefusal } from './http';
