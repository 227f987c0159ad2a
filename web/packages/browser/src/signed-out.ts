import { DEFAULT_SDK_TIMEOUT_MS, clearAccessToken, waitForSdk } from './sdk';
import type { TabMessage } from './tabs';
import { DEFAULT_CHANNEL_NAME, type SyneriseAuthOptions } from './types';

/**
 * For a page shown after the shop ended the customer's session its own way (a form POST and a
 * redirect): clears the tracker's token on this page and in every open tab of the site, with no
 * server call. One line on a server-rendered logged-out page:
 *
 * ```html
 * <script src="/sdk/synerise-auth.js" onload="SyneriseAuth.signedOut()"></script>
 * ```
 *
 * Resolves `true` once this page's tracker was cleared, `false` when it never loaded.
 */
export async function signedOut(options: Pick<SyneriseAuthOptions, 'channelName' | 'sdkTimeoutMs'> = {}): Promise<boolean> {
  const name = options.channelName;
  if (name !== null && typeof BroadcastChannel !== 'undefined') {
    // What a tab's own logout() says; a message posted before close() is still delivered.
    const channel = new BroadcastChannel(name ?? DEFAULT_CHANNEL_NAME);
    channel.postMessage({ type: 'signed-out' } satisfies TabMessage);
    channel.close();
  }
  try {
    clearAccessToken(await waitForSdk(options.sdkTimeoutMs ?? DEFAULT_SDK_TIMEOUT_MS));
    return true;
  } catch {
    return false;
  }
}
