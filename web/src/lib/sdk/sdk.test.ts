import { afterEach, describe, expect, it, vi } from 'vitest';

import { installFakeSdk, removeSdk } from '../../test/helpers';
import {
  SdkUnavailableError,
  clearAccessToken,
  currentSdk,
  getIdentityHash,
  hashIdentity,
  sendPageVisit,
  waitForSdk,
  type SyneriseSdk,
} from './sdk';

afterEach(() => {
  removeSdk();
  vi.useRealTimers();
});

describe('the SDK module', () => {
  it('sees no SDK until every client method it calls is there', () => {
    window.SR = { client: { hashIdentity: () => 'h' } } as unknown as SyneriseSdk;
    expect(currentSdk()).toBeNull();
    installFakeSdk();
    expect(currentSdk()).not.toBeNull();
  });

  it('accepts hashes returned directly or as promises, and treats an empty hash as anonymous', async () => {
    const { client } = installFakeSdk();
    const sdk = currentSdk()!;
    client.hashIdentity.mockImplementation(((email: string) => Promise.resolve(`async:${email}`)) as never);
    client.getIdentityHash.mockReturnValue('' as never);

    expect(await hashIdentity(sdk, 'a@example.com')).toBe('async:a@example.com');
    expect(await getIdentityHash(sdk)).toBeNull();
  });

  it('clears the token by handing the SDK null', () => {
    const { client } = installFakeSdk({ token: 'a.b.c' });
    clearAccessToken(currentSdk()!);
    expect(client.setAccessToken).toHaveBeenCalledWith(null);
  });

  it('rejects with SdkUnavailableError when the SDK does not load in time', async () => {
    vi.useFakeTimers();
    const waiting = waitForSdk(500);
    const outcome = expect(waiting).rejects.toBeInstanceOf(SdkUnavailableError);
    await vi.advanceTimersByTimeAsync(600);
    await outcome;
  });

  it('says so when the tracker has no event API', () => {
    installFakeSdk();
    expect(() => sendPageVisit(currentSdk()!)).toThrow(/no event API/);
  });
});
