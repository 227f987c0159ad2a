'use strict';
// A per-customer limit of N token requests a minute: the service's own limiter (GCRA, bursts up
// to N) from the addon, so a Node shop refuses exactly as `serve` does.

const binding = require('../binding.cjs');

class PerMinute {
  #native;

  /** @param {number} perMinute requests a minute per key; 0 means unlimited */
  constructor(perMinute) {
    if (!Number.isInteger(perMinute) || perMinute < 0 || perMinute > 0xffffffff) {
      throw new RangeError('PerMinute takes a whole number of requests a minute (0: unlimited)');
    }
    this.#native = new binding.PerMinute(perMinute);
  }

  /** Counts one request for `key`: 0 when allowed, otherwise the seconds to wait (at least 1). */
  check(key) {
    return this.#native.check(String(key));
  }
}

module.exports = { PerMinute };
