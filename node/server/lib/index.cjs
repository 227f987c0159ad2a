'use strict';
// @synerise-auth/server: Synerise tokens for a Node shop's signed-in customers, signed by the
// synerise-auth Rust core in this process. The Express and Next.js handlers are the subpaths
// `@synerise-auth/server/express` and `@synerise-auth/server/next`.

const { Issuer, customerUuid, identityHash } = require('./issuer.cjs');
const { PerMinute } = require('./limit.cjs');
const { SyneriseAuthError } = require('./errors.cjs');
const { answerTokenRequest, isSameSite } = require('./contract.cjs');

module.exports = { Issuer, PerMinute, SyneriseAuthError, answerTokenRequest, isSameSite, customerUuid, identityHash };
