// The Node peer of bench/run with @synerise-auth/server signing instead of jose: the same
// node:http service, workers and refusals (bench/peers/node/server.js), so that the two rows
// differ only in how a token is signed. The addon signs on libuv's thread pool.
//
// Environment: as bench/peers/node (PORT, HOST, JWT_PRIVATE_KEY_FILE, API_KEYS, UUID_SALT,
// TOKEN_TTL_SECS, WEB_CONCURRENCY). Prints `node peer listening on http://HOST:PORT`.
import { Issuer } from '@synerise-auth/server';

import { runPeer } from '../node/server.js';

function addonSigner(cfg) {
  // `reuse: false`: a signature per request, as the jose peer makes and as `ours` (token cache
  // off) is measured; with reuse on, this benchmark's one returning customer would be served
  // from the cache and the row would measure a map lookup, not a token.
  const issuer = new Issuer({ key: cfg.keyFile, salt: cfg.salt, ttl: cfg.ttl, reuse: false });
  return (email, uuid) => issuer.issue(email, { uuid: uuid ?? undefined });
}

runPeer(addonSigner);
