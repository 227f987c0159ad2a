/**
 * `@synerise-auth/react`: the hook and the login form, thin layers over `@synerise-auth/browser`
 * (whose session calls, SDK module and JWT reader are re-exported, so one import does).
 */
export * from './useSyneriseAuthentication';
export * from './LoginForm';
export * from './events';
export {
  DEFAULT_RENEW_MARGIN_SECONDS,
  DEFAULT_RETRY_DELAY_SECONDS,
  DEFAULT_SESSION_ENDPOINT,
  DEFAULT_TOKEN_ENDPOINT,
  SdkUnavailableError,
  clearAccessToken,
  currentSdk,
  decodeJwtUnverified,
  getAccessToken,
  getIdentityHash,
  getSession,
  hashIdentity,
  setAccessToken,
  setUuidAndIdentityHash,
  signIn,
  signOut,
  signedOut,
  waitForSdk,
  type DecodedJwt,
  type FailureReason,
  type ServerRefusal,
  type SignInResult,
  type SyneriseAuthFailure,
  type SyneriseClient,
  type SyneriseEvents,
  type SyneriseSdk,
} from '@synerise-auth/browser';
