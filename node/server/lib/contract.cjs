'use strict';
// The token-endpoint contract as one pure function: a request in, a response out. The Express
// and Next.js handlers are a few lines each around it, and so is any other framework's.
//
// The reply is `POST /generate-jwt`'s: 200 `{jwt, uuid, expiresAt}`, refusals `{error, code}`,
// always `Cache-Control: no-store` and a `Date` header (the browser core renews by it), 429 with
// `Retry-After`, 503 with `Retry-After` when the shop's session cannot be read.

const { SyneriseAuthError, fromNative } = require('./errors.cjs');

/** The largest request body read, as `serve` allows for this route. */
const MAX_BODY_BYTES = 16 * 1024;
/** How long a client waits before asking again when the shop's session could not be read. */
const SESSION_RETRY_AFTER_SECS = 1;

/** Whether `origin` names the host the request was sent to. */
function isSameOrigin(origin, host) {
  if (!host) return false;
  const match = /^https?:\/\/(.+)$/i.exec(origin);
  return match !== null && match[1].toLowerCase() === host.toLowerCase();
}

/**
 * The service's check against other sites' pages using the shop's session cookie: accepted when
 * `Sec-Fetch-Site` says same-origin (or a typed URL), or `Origin` is an allowed one or this host;
 * a request with neither header was not sent by a page.
 */
function isSameSite(header, allowedOrigins) {
  const origin = header('origin');
  const originAllowed = origin !== undefined && allowedOrigins.includes(origin.toLowerCase());
  const site = header('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin' || site === 'none' || originAllowed;
  if (origin === undefined) return true;
  return originAllowed || isSameOrigin(origin, header('host'));
}

/** The request body as an object: `{}` when empty. */
function readBody(body, contentType) {
  if (body === undefined || body === null) return {};
  if (typeof body === 'object' && !Buffer.isBuffer(body)) return body;
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : String(body);
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new SyneriseAuthError('payload_too_large', 'request body too large');
  }
  if (text.trim() === '') return {};
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType ?? '')) {
    throw new SyneriseAuthError('unsupported_media_type', 'expected Content-Type: application/json');
  }
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SyneriseAuthError('malformed_json', 'the body is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SyneriseAuthError('invalid_body', 'the body must be a JSON object');
  }
  return parsed;
}

/** A JSON reply with the headers every answer of the endpoint has. */
function reply(status, body, nowMs, extra = {}) {
  return {
    status,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      date: new Date(nowMs).toUTCString(),
      ...extra,
    },
    body: JSON.stringify(body),
  };
}

function refusal(error, nowMs) {
  const known = error instanceof SyneriseAuthError ? error : fromNative(error);
  const extra = {};
  if (known.retryAfter !== undefined) extra['retry-after'] = String(Math.max(1, known.retryAfter));
  if (known.status === 401) extra['www-authenticate'] = 'Bearer';
  // An unexpected error is answered with a fixed sentence; its cause stays with the caller.
  const message = known.status === 500 ? 'unexpected error' : known.message;
  return reply(known.status, { error: message, code: known.code }, nowMs, extra);
}

/** The issuers made by the functions handlers were given, each made once. */
const made = new WeakMap();

/**
 * The issuer a handler was given, or, when it was given a function, what that function returns,
 * made on the first request and kept (a framework that imports route files at build time, as
 * Next.js does, has no key then). A function that throws is called again on the next request.
 */
function theIssuer(issuer) {
  if (typeof issuer !== 'function') return issuer;
  if (!made.has(issuer)) made.set(issuer, issuer());
  return made.get(issuer);
}

/**
 * Answers one token request.
 *
 * @param {object} request
 * @param {string} request.method
 * @param {(name: string) => string | undefined} request.header a header by lower-case name
 * @param {unknown} [request.body] the body: raw text or a Buffer, an object a body parser made,
 *   or a promise of one of these (a rejection with a SyneriseAuthError is answered as such)
 * @param {object} options
 * @param {import('./issuer.cjs').Issuer | (() => import('./issuer.cjs').Issuer)} options.issuer
 *   the issuer, or a function that makes it on the first request (see `theIssuer`)
 * @param {() => (string | null | undefined | Promise<string | null | undefined>)} options.customer
 *   the signed-in customer's email from the shop's own session, or nothing when signed out
 * @param {{ check(key: string): number }} [options.limit] per-customer limit (`PerMinute`)
 * @param {string[]} [options.allowedOrigins] other origins whose pages may ask (lower case)
 * @param {(error: unknown) => void} [options.onError] told of unexpected errors
 * @returns {Promise<{ status: number, headers: Record<string, string>, body: string }>}
 */
async function answerTokenRequest(request, options) {
  const { customer, limit, allowedOrigins = [], onError } = options;
  // The system clock dates a reply only until the issuer is there (a 500 when it cannot be made).
  let nowMs = Date.now();
  try {
    const issuer = theIssuer(options.issuer);
    nowMs = issuer.now() * 1000;
    if (request.method !== 'POST') {
      return reply(405, { error: 'method not allowed', code: 'method_not_allowed' }, nowMs, { allow: 'POST' });
    }
    if (!isSameSite(request.header, allowedOrigins)) {
      throw new SyneriseAuthError(
        'cross_site_request',
        'this request came from another site; only this site and the configured allowedOrigins may use the session',
      );
    }
    let email;
    try {
      email = await customer();
    } catch (error) {
      if (onError) onError(error);
      throw new SyneriseAuthError('storage_unavailable', 'the session could not be read; try again', {
        retryAfter: SESSION_RETRY_AFTER_SECS,
        cause: error,
      });
    }
    if (!email) throw new SyneriseAuthError('not_signed_in', 'no customer is signed in');
    const body = readBody(await request.body, request.header('content-type'));
    if (typeof body.email === 'string' && body.email.trim().toLowerCase() !== String(email).trim().toLowerCase()) {
      throw new SyneriseAuthError(
        'email_mismatch',
        "the email differs from the signed-in customer's; a token is only issued for your own account",
      );
    }
    if (limit) {
      const wait = limit.check(String(email).trim().toLowerCase());
      if (wait > 0) throw new SyneriseAuthError('rate_limited', 'too many requests', { retryAfter: wait });
    }
    const issued = await issuer.issue(email);
    return reply(200, { jwt: issued.jwt, uuid: issued.uuid, expiresAt: issued.expiresAt }, nowMs);
  } catch (error) {
    const answer = refusal(error, nowMs);
    if (answer.status === 500 && onError) onError(error);
    return answer;
  }
}

module.exports = { answerTokenRequest, isSameSite, MAX_BODY_BYTES };
