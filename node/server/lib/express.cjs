'use strict';
// The token endpoint as Express middleware: `app.post('/api/synerise-token', syneriseToken({...}))`.
// Reads the body itself unless a body parser already did (express.json()), calls the contract
// function, writes its answer.

const { answerTokenRequest, MAX_BODY_BYTES } = require('./contract.cjs');
const { SyneriseAuthError } = require('./errors.cjs');

/** The raw body, at most MAX_BODY_BYTES (a longer one is refused without keeping the rest). */
function rawBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    const onData = (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.resume();
        reject(new SyneriseAuthError('payload_too_large', 'request body too large'));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * @param {object} options
 * @param {import('./issuer.cjs').Issuer} options.issuer
 * @param {(req: any) => (string | null | undefined | Promise<string | null | undefined>)} options.customer
 * @param {{ check(key: string): number }} [options.limit]
 * @param {string[]} [options.allowedOrigins]
 * @param {(error: unknown) => void} [options.onError]
 */
function syneriseToken(options) {
  const { customer, ...rest } = options;
  return async function syneriseTokenMiddleware(req, res, next) {
    try {
      const body = req.body !== undefined || req.method !== 'POST' ? req.body : rawBody(req);
      // Settled by answerTokenRequest or not at all (a refusal before the body is read).
      if (body instanceof Promise) body.catch(() => {});
      const answer = await answerTokenRequest(
        {
          method: req.method,
          header: (name) => {
            const value = req.headers[name];
            return Array.isArray(value) ? value.join(', ') : value;
          },
          body,
        },
        { ...rest, customer: () => customer(req) },
      );
      res.status(answer.status).set(answer.headers).send(answer.body);
    } catch (error) {
      next(error);
    }
  };
}

module.exports = { syneriseToken };
