// @ts-check
/**
 * A local stand-in for Synerise's JS SDK (`window.SR`), for the demo and the browser tests.
 *
 * Synerise's real tracker cannot load offline, and it sends events to Synerise, which tells the
 * page nothing. This script defines the same calls the project's SDK module makes, keeps a uuid
 * like the tracker does, and sends each event to the local event gate (`POST /gate/v1/events`),
 * which verifies the token exactly as Synerise would and answers with a verdict. Each call that
 * sends an event returns that verdict as a Promise and announces it on `window` as a
 * `synerise:verdict` event, so a page can show it and react to a refused token.
 *
 * A real site loads Synerise's tracking script instead and drops this file.
 *
 * Load it like a tracker snippet:
 *   <script async src="/synerise-standin.js" data-gate-url="/gate/v1/events"></script>
 */
(function () {
  'use strict';

  /** @type {any} */
  const w = window;
  if (w.SR) {
    // Never shadow a real tracker that is already on the page.
    console.warn('synerise-standin: window.SR already exists; the stand-in is not installed.');
    return;
  }

  const script = /** @type {HTMLScriptElement | null} */ (document.currentScript);
  const GATE_URL = (script && script.dataset.gateUrl) || '/gate/v1/events';
  // The tracker keeps its uuid in a first-party cookie; localStorage plays that part here.
  const UUID_KEY = 'synerise-standin:uuid';
  const IDENTITY_KEY = 'synerise-standin:identity-hash';
  const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

  /** @param {string} key */
  function load(key) {
    try {
      return window.localStorage.getItem(key);
    } catch {
      return null; // storage blocked (privacy mode): keep state for this page only
    }
  }

  /** @param {string} key @param {string | null} value */
  function save(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch {
      // see load()
    }
  }

  /** A version-4 uuid. randomUUID needs a secure context; plain http on a LAN address is not one. */
  function newUuid() {
    if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /**
   * Synerise's identity hash, as its Magento integration computes it (`hashString` in
   * Helper/Tracking/UuidManagement.php): Java's `String.hashCode` over the UTF-8 bytes,
   * `h = 31 * h + byte` wrapped to a signed 32-bit integer, written in decimal.
   * @param {string} text
   */
  function identityHashOf(text) {
    let h = 0;
    for (const byte of new TextEncoder().encode(text)) h = (Math.imul(31, h) + byte) | 0;
    return String(h);
  }

  /** @param {string} name */
  function readCookie(name) {
    for (const part of document.cookie.split(';')) {
      const [key, ...rest] = part.trim().split('=');
      if (key === name) return decodeURIComponent(rest.join('='));
    }
    return null;
  }

  /** @param {string} name */
  function deleteCookie(name) {
    document.cookie = `${name}=; path=/; max-age=0`;
  }

  /**
   * The same normalisation as the server's: trimmed, domain lower-cased, local part kept (it is
   * the customer's identifier), so one customer has one identity hash however they type it.
   * @param {string} email
   */
  function normaliseEmail(email) {
    const trimmed = email.trim();
    const at = trimmed.lastIndexOf('@');
    return at < 0 ? trimmed : trimmed.slice(0, at + 1) + trimmed.slice(at + 1).toLowerCase();
  }

  let uuid = load(UUID_KEY);
  if (!uuid || !UUID_PATTERN.test(uuid)) {
    uuid = newUuid();
    save(UUID_KEY, uuid);
  }
  let identityHash = load(IDENTITY_KEY);
  // What the server hands over at sign-in, read and deleted at start-up as the tracker does:
  // `_snrs_reset_uuid_and_identity_hash` (`uuid:identityHash`, Synerise's Magento integration)
  // and `_snrs_reset_uuid` (the uuid alone, Synerise's customer-identification pages).
  const handedOver = readCookie('_snrs_reset_uuid_and_identity_hash');
  const resetUuid = readCookie('_snrs_reset_uuid');
  if (handedOver !== null) {
    const colon = handedOver.indexOf(':');
    const newUuid = handedOver.slice(0, colon);
    if (colon > 0 && UUID_PATTERN.test(newUuid) && /^-?\d+$/.test(handedOver.slice(colon + 1))) {
      uuid = newUuid.toLowerCase();
      identityHash = handedOver.slice(colon + 1);
    }
    deleteCookie('_snrs_reset_uuid_and_identity_hash');
  } else if (resetUuid !== null) {
    if (UUID_PATTERN.test(resetUuid)) uuid = resetUuid.toLowerCase();
    deleteCookie('_snrs_reset_uuid');
  }
  save(UUID_KEY, uuid);
  save(IDENTITY_KEY, identityHash);
  // The tracker keeps its uuid in this first-party cookie; the server reads it at sign-in.
  const keepUuidCookie = () => {
    document.cookie = `_snrs_uuid=${uuid}; path=/; max-age=${365 * 24 * 3600}; SameSite=Lax`;
  };
  keepUuidCookie();
  // Held for this page only: after a reload the page asks its server for a token again.
  /** @type {string | null} */
  let accessToken = null;

  const client = {
    /** @param {string} identity */
    hashIdentity(identity) {
      if (typeof identity !== 'string' || identity.trim() === '') {
        throw new TypeError('SR.client.hashIdentity(identity): identity must be a non-empty string');
      }
      return identityHashOf(normaliseEmail(identity));
    },

    getIdentityHash() {
      return identityHash;
    },

    /**
     * Strict on purpose: Synerise's guide passes these the other way round, and a stand-in that
     * accepted both orders would hide that mistake until production.
     * @param {string} newUuid @param {string} newIdentityHash
     */
    setUuidAndIdentityHash(newUuid, newIdentityHash) {
      if (typeof newUuid !== 'string' || !UUID_PATTERN.test(newUuid)) {
        throw new TypeError(
          `SR.client.setUuidAndIdentityHash(uuid, identityHash): the first argument must be a UUID, got ${JSON.stringify(newUuid)}`,
        );
      }
      if (typeof newIdentityHash !== 'string' || newIdentityHash === '') {
        throw new TypeError('SR.client.setUuidAndIdentityHash(uuid, identityHash): identityHash must be a non-empty string');
      }
      uuid = newUuid.toLowerCase();
      identityHash = newIdentityHash;
      save(UUID_KEY, uuid);
      save(IDENTITY_KEY, identityHash);
      keepUuidCookie();
    },

    /** @param {string | null} token a JWS, or null to send events without a token from now on */
    setAccessToken(token) {
      if (token !== null && (typeof token !== 'string' || token.split('.').length !== 3)) {
        throw new TypeError('SR.client.setAccessToken(token): token must be a JWT (three dot-separated parts) or null');
      }
      accessToken = token;
    },

    getUuid() {
      return uuid;
    },
  };

  /**
   * @param {string} action @param {string} label @param {unknown} params
   * @returns {Promise<{action: string, label: string, uuid: string, status: number, accepted: boolean,
   *   reason: string | null, detail: string | null, tokenSent: string | null}>}
   */
  function send(action, label, params) {
    const tokenSent = accessToken;
    const sentUuid = /** @type {string} */ (uuid);
    /** @type {Record<string, string>} */
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (tokenSent) headers.Authorization = `Bearer ${tokenSent}`;
    const body = JSON.stringify({
      action,
      label,
      client: { uuid: sentUuid },
      params: params && typeof params === 'object' ? params : {},
    });
    /** @param {{status: number, accepted: boolean, reason: string | null, detail: string | null}} outcome */
    const announce = (outcome) => {
      const verdict = { action, label, uuid: sentUuid, tokenSent, ...outcome };
      window.dispatchEvent(new CustomEvent('synerise:verdict', { detail: verdict }));
      return verdict;
    };
    // Synerise's endpoint is on another origin and takes no cookies: the token is the only proof.
    return fetch(GATE_URL, { method: 'POST', headers, body, credentials: 'omit', keepalive: true }).then(
      async (response) => {
        /** @type {any} */
        let reply = null;
        try {
          reply = await response.json();
        } catch {
          // no JSON: described from the status below
        }
        // A gate verdict is {accepted, reason, detail}; any other refusal (a 404 from a server
        // without the gate, a 415...) is the server's {error, code}, reported the same way.
        const text = (/** @type {string} */ key) => (reply && typeof reply[key] === 'string' ? reply[key] : null);
        return announce({
          status: response.status,
          accepted: response.ok && reply !== null && reply.accepted === true,
          reason: text('reason') ?? text('code') ?? (response.ok ? null : `http_${response.status}`),
          detail: text('detail') ?? text('error'),
        });
      },
      (error) =>
        announce({
          status: 0,
          accepted: false,
          reason: 'network_error',
          detail: `The event gate could not be reached (${error instanceof Error ? error.message : String(error)}).`,
        }),
    );
  }

  const event = {
    pageVisit() {
      return send('page.visit', document.title || location.pathname, { url: location.href });
    },

    /** @param {string} action @param {Record<string, unknown>} [params] @param {string} [label] */
    trackCustomEvent(action, params, label) {
      if (typeof action !== 'string' || action === '') {
        throw new TypeError('SR.event.trackCustomEvent(action, params, label): action must be a non-empty string');
      }
      return send(action, label || action, params || {});
    },

    /** @param {string} label @param {Record<string, unknown>} [params] */
    sendFormData(label, params) {
      return send('form.submit', label || 'form', params || {});
    },
  };

  // Synerise's "Web SDK methods reference", section "Authentication by JSON Web Token":
  // "Retrieve current JWT" (null when none is set) and "Clear JWT" (to log a user out).
  const jwt = {
    getAccessToken() {
      return accessToken;
    },
    clearAccessToken() {
      accessToken = null;
    },
  };

  w.SR = {
    client,
    jwt,
    event,
    // Not part of Synerise's SDK: lets tests and the demo see what the tracker holds.
    standin: {
      gateUrl: GATE_URL,
      state() {
        return { uuid, identityHash, accessToken };
      },
      /** Forgets everything, as clearing the site's cookies would. */
      reset() {
        uuid = newUuid();
        identityHash = null;
        accessToken = null;
        save(UUID_KEY, uuid);
        save(IDENTITY_KEY, null);
        keepUuidCookie();
      },
    },
  };
  window.dispatchEvent(new CustomEvent('synerise:ready'));
})();
