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

  // SHA-256, synchronous, because hashIdentity() returns its value directly (crypto.subtle is
  // asynchronous and missing outside secure contexts).
  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);

  /** @param {number} x @param {number} n */
  function ror(x, n) {
    return (x >>> n) | (x << (32 - n));
  }

  /** @param {string} text */
  function sha256Hex(text) {
    const bytes = new TextEncoder().encode(text);
    const padded = new Uint8Array((((bytes.length + 9 + 63) / 64) | 0) * 64);
    padded.set(bytes);
    padded[bytes.length] = 0x80;
    const view = new DataView(padded.buffer);
    const bits = bytes.length * 8;
    view.setUint32(padded.length - 8, Math.floor(bits / 0x100000000));
    view.setUint32(padded.length - 4, bits >>> 0);
    const H = new Uint32Array([
      0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]);
    const W = new Uint32Array(64);
    for (let offset = 0; offset < padded.length; offset += 64) {
      for (let i = 0; i < 16; i++) W[i] = view.getUint32(offset + i * 4);
      for (let i = 16; i < 64; i++) {
        const s0 = ror(W[i - 15], 7) ^ ror(W[i - 15], 18) ^ (W[i - 15] >>> 3);
        const s1 = ror(W[i - 2], 17) ^ ror(W[i - 2], 19) ^ (W[i - 2] >>> 10);
        W[i] = W[i - 16] + s0 + W[i - 7] + s1;
      }
      let a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (let i = 0; i < 64; i++) {
        const t1 = (h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + W[i]) >>> 0;
        const t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        h = g;
        g = f;
        f = e;
        e = (d + t1) >>> 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) >>> 0;
      }
      H[0] += a; H[1] += b; H[2] += c; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += h;
    }
    return Array.from(H, (x) => x.toString(16).padStart(8, '0')).join('');
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
  // Held for this page only: after a reload the page asks its server for a token again.
  /** @type {string | null} */
  let accessToken = null;

  const client = {
    /** @param {string} identity */
    hashIdentity(identity) {
      if (typeof identity !== 'string' || identity.trim() === '') {
        throw new TypeError('SR.client.hashIdentity(identity): identity must be a non-empty string');
      }
      return sha256Hex(normaliseEmail(identity));
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

  w.SR = {
    client,
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
      },
    },
  };
  window.dispatchEvent(new CustomEvent('synerise:ready'));
})();
