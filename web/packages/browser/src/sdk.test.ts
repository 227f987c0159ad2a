import { afterEach, describe, expect, it, vi } from 'vitest';

import { installFakeSdk, removeSdk } from '../../../test/helpers';
import {
  SdkUnavailableError,
  clearAccessToken,
  currentSdk,
  getAccessToken,
  getIdentityHash,
  hashIdentity,
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

  it('clears the token with SR.jwt.clearAccessToken, the documented call, when the tracker has it', () => {
    const { client, jwt, state } = installFakeSdk({ token: 'a.b.c' }, { jwt: true });
    clearAccessToken(currentSdk()!);
    expect(jwt?.clearAccessToken).toHaveBeenCalledTimes(1);
    expect(client.setAccessToken).not.toHaveBeenCalled();
    expect(state.token).toBeNull();
  });

  it('falls back to SR.client.clearAccessToken, then to handing the SDK null', () => {
    const { client } = installFakeSdk({ token: 'a.b.c' });
    const clientClear = vi.fn();
    (currentSdk()!.client as { clearAccessToken?: () => void }).clearAccessToken = clientClear;
    clearAccessToken(currentSdk()!);
    expect(clientClear).toHaveBeenCalledTimes(1);
    expect(client.setAccessToken).not.toHaveBeenCalled();

    delete (currentSdk()!.client as { clearAccessToken?: () => void }).clearAccessToken;
    clearAccessToken(currentSdk()!);
    expect(client.setAccessToken).toHaveBeenCalledWith(null);
  });

  it('reads the held token with SR.jwt.getAccessToken, and says when the tracker cannot tell', () => {
    installFakeSdk({ token: 'a.b.c' }, { jwt: true });
    expect(getAccessToken(currentSdk()!)).toBe('a.b.c');
    installFakeSdk({ token: null }, { jwt: true });
    expect(getAccessToken(currentSdk()!)).toBeNull();
    installFakeSdk({ token: 'a.b.c' });
    expect(getAccessToken(currentSdk()!)).toBeUndefined();
  });

  it('rejects with SdkUnavailableError when the SDK does not load in time', async () => {
    vi.useFakeTimers();
    const waiting = waitForSdk(500);
    const outcome = expect(waiting).rejects.toBeInstanceOf(SdkUnavailableError);
    await vi.advanceTimersByTimeAsync(600);
    await outcome;
  });
});
