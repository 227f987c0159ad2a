/**
 * Tabs as one: the open tabs of a site share one renewal and one sign-in.
 *
 * - One renewal at a time across tabs: under a Web Lock (`navigator.locks`) where the browser has
 *   them, and under a short lease in `localStorage` where it does not (older browsers, some
 *   embedded views). The lease is a best effort: two tabs that look at the same millisecond may
 *   both renew, which costs one extra request and nothing else.
 * - The token a tab obtains is handed to the other tabs on a `BroadcastChannel`, and so is a
 *   sign-out. A tab about to renew says so on the channel first: the lock may reach the next tab
 *   before the new token does (they travel apart between a browser's processes), and that tab
 *   then waits for the token instead of asking again.
 *
 * Nothing here runs at import time, and every browser API is looked up when first needed, so the
 * module loads under server-side rendering.
 */

/** The part of the Web Locks API used here (`navigator.locks`). */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** A message between the tabs of one site. */
export type TabMessage =
  | { type: 'token'; token: SharedToken }
  | { type: 'signed-out' };

/** Said on the channel before a renewal, kept to this module: the tag of the token it replaces. */
interface RenewingNotice {
  type: 'renewing';
  replaces: string;
}

/** A token as one tab hands it to the others (a structured clone: the Date survives). */
export interface SharedToken {
  jwt: string;
  uuid: string;
  email: string;
  expiresAt: Date;
  identityHash: string;
  /** The server's clock minus the browser's, as the tab that obtained it measured. */
  skewMs: number;
}

export interface Tabs {
  /**
   * Without Web Locks: whether another tab holds the lease, i.e. is renewing now (wait for its
   * token before {@link exclusive}).
   */
  busy(): boolean;
  /** Runs `task` while no other tab of this site runs one (see {@link busy} for the lease). */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /** Tells the other tabs. */
  post(message: TabMessage): void;
  /** Tells the other tabs that this one is renewing `jwt` now. */
  markRenewing(jwt: string): void;
  /** Whether another tab said it was renewing `jwt` in the last few seconds (its successor is on its way). */
  wasRenewed(jwt: string): boolean;
  close(): void;
}

/** How long a fallback lease lasts: longer than any sane token request. */
const LEASE_MS = 10_000;

/** A short, non-secret tag of a token, so `localStorage` never holds the token itself. */
export function tag(text: string): string {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return `${text.length}.${h >>> 0}`;
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // blocked (privacy settings, sandboxed frames)
  }
}

function currentLocks(): LockManagerLike | null {
  const locks = typeof navigator === 'undefined' ? undefined : (navigator as { locks?: LockManagerLike }).locks;
  return locks && typeof locks.request === 'function' ? locks : null;
}

/**
 * Opens the tabs' channel named `name`. `onMessage` gets what other tabs post. `locks` replaces
 * `navigator.locks` (`null`: use the lease even where Web Locks exist).
 */
export function openTabs(
  name: string,
  onMessage: (message: TabMessage) => void,
  locks: LockManagerLike | null | undefined,
): Tabs {
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(name);
  // The tag of the token another tab said it was renewing, and until when that counts.
  let renewing = { replaces: '', until: 0 };
  if (channel) {
    channel.onmessage = (event: MessageEvent) => {
      const message = event.data as TabMessage | RenewingNotice;
      if (message.type === 'renewing') renewing = { replaces: message.replaces, until: Date.now() + LEASE_MS };
      else onMessage(message);
    };
  }
  const id = `${Date.now()}-${Math.random()}`;
  const leaseKey = `${name}:renewing`;

  const leaseHolder = (): string | null => {
    const raw = storage()?.getItem(leaseKey);
    if (!raw) return null;
    const [until, owner] = raw.split(' ');
    return Number(until) > Date.now() && owner ? owner : null;
  };

  async function underLease<T>(task: () => Promise<T>): Promise<T> {
    const store = storage();
    if (!store) return task();
    store.setItem(leaseKey, `${Date.now() + LEASE_MS} ${id}`);
    try {
      return await task();
    } finally {
      if (leaseHolder() === id) store.removeItem(leaseKey);
    }
  }

  const manager = () => (locks === undefined ? currentLocks() : locks);

  return {
    busy: () => manager() === null && ![null, id].includes(leaseHolder()),
    exclusive(task) {
      const lockManager = manager();
      return lockManager ? lockManager.request(`${name}:renew`, task) : underLease(task);
    },
    post(message) {
      channel?.postMessage(message);
    },
    markRenewing(jwt) {
      const notice: RenewingNotice = { type: 'renewing', replaces: tag(jwt) };
      channel?.postMessage(notice);
    },
    wasRenewed(jwt) {
      // Only a recent notice counts: a tab that closed mid-renewal must not hold others back.
      return renewing.until > Date.now() && renewing.replaces === tag(jwt);
    },
    close() {
      channel?.close();
    },
  };
}
