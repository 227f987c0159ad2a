import { afterEach, describe, expect, it } from 'vitest';

import { currentSdk } from '@synerise-auth/browser';
import { installFakeSdk, removeSdk } from '../../../test/helpers';
import { sendPageVisit } from './events';

afterEach(removeSdk);

describe('the event calls', () => {
  it('say so when the tracker has no event API', () => {
    installFakeSdk();
    expect(() => sendPageVisit(currentSdk()!)).toThrow(/no event API/);
  });

  it('hand the event to the tracker and return what it answers', () => {
    installFakeSdk();
    const sdk = currentSdk()!;
    sdk.event = { pageVisit: () => 'visited', trackCustomEvent: () => null, sendFormData: () => null };
    expect(sendPageVisit(sdk)).toBe('visited');
  });
});
