'use strict';
// The Issuer a shop makes once: the addon's issuer with the clock read here (the one place that
// reads the clock tokens are issued by; the handlers read the system clock only to date a 500
// when no issuer could be made), errors turned into SyneriseAuthError, and nothing secret in
// `inspect`.

const { inspect } = require('node:util');

const binding = require('../binding.cjs');
const { fromNative, native } = require('./errors.cjs');

/** Seconds since the epoch, from a clock returning milliseconds (Date.now by default). */
const seconds = (clock) => Math.floor(clock() / 1000);

/** A lifetime in seconds (a number) or as text (`7d`, `12h`, `90m`, `3600s`). */
function ttlText(ttl) {
  if (ttl === undefined || ttl === null) return undefined;
  if (typeof ttl === 'number') return String(ttl);
  return ttl;
}

class Issuer {
  #native;
  #clock;

  /**
   * @param {{ key: string, salt: string, ttl?: number | string, kid?: string, reuse?: boolean, clock?: () => number }} options
   */
  constructor(options) {
    if (!options || typeof options !== 'object') throw new TypeError('new Issuer({ key, salt, ttl? }) takes an object');
    const { key, salt, ttl, kid, reuse, clock = Date.now } = options;
    // A missing option is a programming error (a TypeError, as Node's own APIs throw); a value
    // that is there but unusable is refused by the addon with its stable code.
    for (const [name, value, what] of [['key', key, 'the path of a key file or key directory'], ['salt', salt, 'the site-wide uuid salt']]) {
      if (typeof value !== 'string') {
        throw new TypeError(`new Issuer({ key, salt }): \`${name}\` must be ${what}, a string (it is ${value === null ? 'null' : typeof value})`);
      }
    }
    this.#clock = clock;
    this.#native = native(() => new binding.Issuer({ key, salt, ttl: ttlText(ttl), kid, reuse }));
  }

  /** The current time in seconds, as this issuer's clock says. */
  now() {
    return seconds(this.#clock);
  }

  /**
   * A token for `email`: the one signed for this customer less than 10 minutes ago (unless
   * `reuse: false`), or a new signature off the main thread.
   * @param {string} email
   * @param {{ uuid?: string }} [options]
   */
  async issue(email, options = {}) {
    let task;
    try {
      task = this.#native.issue(email, options.uuid ?? undefined, this.now());
    } catch (error) {
      throw fromNative(error);
    }
    try {
      return await task;
    } catch (error) {
      throw fromNative(error);
    }
  }

  /** Verifies a token of this issuer's key set; throws with the verifier's code. */
  verify(token, options = {}) {
    const now = options.now ?? this.now();
    return native(() => this.#native.verify(token, now));
  }

  /** The customer's UUID for `email` under this issuer's salt. */
  customerUuid(email) {
    return native(() => this.#native.customerUuid(email));
  }

  /** The active public key, in Synerise's one-line form by default. */
  publicKey(format) {
    return native(() => this.#native.publicKey(format));
  }

  /** The JWK Set: the active key, the next key and the retired keys whose tokens may live. */
  jwks() {
    return JSON.parse(this.#native.jwks(this.now()));
  }

  /** Reads the key set again; on an error the keys in use stay. */
  reload() {
    native(() => this.#native.reload());
  }

  /** The `kid` this issuer's tokens carry, or null. */
  get kid() {
    return this.#native.kid ?? null;
  }

  /** The token lifetime in seconds. */
  get ttlSeconds() {
    return this.#native.ttlSeconds;
  }

  [inspect.custom]() {
    return `Issuer { kid: ${inspect(this.kid)}, ttlSeconds: ${this.ttlSeconds} }`;
  }

  toJSON() {
    return { kid: this.kid, ttlSeconds: this.ttlSeconds };
  }
}

/** The customer's UUID: UUIDv5 (URL namespace) of `salt + email`, as Synerise's guide derives it. */
function customerUuid(salt, email) {
  return native(() => binding.customerUuid(salt, email));
}

/** Synerise's identity hash of an identifier (the customer's email). */
function identityHash(identifier) {
  return binding.identityHash(identifier);
}

module.exports = { Issuer, customerUuid, identityHash };
