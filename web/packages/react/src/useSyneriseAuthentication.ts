import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';

import {
  createSyneriseAuth,
  type AuthenticationStatus,
  type SyneriseAuth,
  type SyneriseAuthFailure,
  type SyneriseAuthOptions,
  type SyneriseAuthState,
  type SyneriseToken,
} from '@synerise-auth/browser';

export type UseSyneriseAuthenticationOptions = SyneriseAuthOptions & {
  /** Called once per failure, with its stable reason (see `onFailure` in `@synerise-auth/browser`). */
  onFailure?: (failure: SyneriseAuthFailure) => void;
};

export type { AuthenticationStatus, SyneriseToken };

export interface UseSyneriseAuthenticationResult {
  /**
   * Makes sure the SDK carries a valid token for `email`, fetching one when the identity changed
   * or none is held. Resolves `true` on success, `false` on any failure (see `error`); never throws.
   */
  authenticate(email: string): Promise<boolean>;
  /**
   * Signs out (`DELETE` on the session endpoint; no call when `sessionEndpoint` is `null`, for a
   * shop that ends its own session) and clears the SDK's token, in every tab. Never throws.
   */
  logout(): Promise<boolean>;
  /** Fetches a fresh token for the current customer now. Concurrent calls share one request. */
  renew(): Promise<boolean>;
  /**
   * Tell the hook an event was refused because of its token (a 401 from Synerise or the gate).
   * It renews once; refusals arriving together share that one renewal. Pass the refused token when
   * known, so a refusal of a token already replaced does not trigger another request.
   */
  onTokenRefused(refusedJwt?: string | null, reason?: string | null): Promise<boolean>;
  status: AuthenticationStatus;
  /** The last failure as a sentence for the visitor, or `null`. */
  error: string | null;
  /** `true` while `authenticate` or `logout` is working. */
  loading: boolean;
  token: SyneriseToken | null;
}

const SERVER_STATE: SyneriseAuthState = { status: 'idle', error: null, loading: false, token: null };

/**
 * Gets a Synerise token for the signed-in customer to the Synerise JS SDK, and keeps it valid:
 * the React face of `createSyneriseAuth` from `@synerise-auth/browser` (one per component).
 *
 * ```tsx
 * const auth = useSyneriseAuthentication();
 * // after your own sign-in succeeded:
 * if (await auth.authenticate(email)) showAccount();
 * ```
 */
export function useSyneriseAuthentication(
  options: UseSyneriseAuthenticationOptions = {},
): UseSyneriseAuthenticationResult {
  // The latest props, read by the core whenever it needs a value.
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const [auth] = useState<SyneriseAuth>(() => createSyneriseAuth(() => optionsRef.current));

  useEffect(() => {
    auth.connect();
    const stop = auth.onFailure((failure) => optionsRef.current.onFailure?.(failure));
    return () => {
      stop();
      auth.disconnect();
    };
  }, [auth]);

  const state = useSyncExternalStore(auth.subscribe, auth.getState, () => SERVER_STATE);

  const authenticate = useCallback((email: string) => auth.authenticate(email), [auth]);
  const logout = useCallback(() => auth.logout(), [auth]);
  const renew = useCallback(() => auth.renew(), [auth]);
  const onTokenRefused = useCallback(
    (refusedJwt?: string | null, reason?: string | null) => auth.onTokenRefused(refusedJwt, reason),
    [auth],
  );

  return { authenticate, logout, renew, onTokenRefused, ...state };
}
