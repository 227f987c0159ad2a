'use strict';
// The package's one error type: every failure carries the service's stable snake_case `code`
// (the addon throws with it), and the HTTP status the token endpoint answers it with.

/** The HTTP status of each code a token endpoint may answer with. */
const STATUS = Object.freeze({
  malformed_json: 400,
  invalid_body: 400,
  invalid_email: 400,
  invalid_uuid: 400,
  not_signed_in: 401,
  cross_site_request: 403,
  email_mismatch: 403,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  storage_unavailable: 503,
  token_service_unavailable: 503,
});

class SyneriseAuthError extends Error {
  /**
   * @param {string} code stable snake_case code
   * @param {string} message a sentence for a person
   * @param {{ retryAfter?: number, cause?: unknown }} [extra]
   */
  constructor(code, message, extra = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'SyneriseAuthError';
    this.code = code;
    /** The HTTP status a token endpoint answers this with (500 for codes it never answers). */
    this.status = STATUS[code] ?? 500;
    if (extra.retryAfter !== undefined) this.retryAfter = extra.retryAfter;
  }
}

const SNAKE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
/**
 * A failure on libuv's thread pool: napi's `Task` rejects with its own status only, so the addon
 * puts the code first in the message (`signing_failed: ...`).
 */
const CODE_IN_MESSAGE = /^([a-z][a-z0-9]*(?:_[a-z0-9]+)*): (.*)$/s;

/**
 * The addon's error as a SyneriseAuthError: its `code` kept when it is one of ours, anything else
 * (napi's own statuses) an `internal_error`.
 */
function fromNative(error) {
  if (error instanceof SyneriseAuthError) return error;
  let code = 'internal_error';
  let message = 'unexpected error in the token addon';
  if (error && typeof error.code === 'string' && SNAKE.test(error.code)) {
    code = error.code;
    message = String(error.message);
  } else if (error && error.code === 'GenericFailure') {
    const match = CODE_IN_MESSAGE.exec(String(error.message));
    if (match) [, code, message] = match;
  }
  return new SyneriseAuthError(code, message, { cause: error });
}

/** Runs `fn`, rethrowing the addon's errors as SyneriseAuthError. */
function native(fn) {
  try {
    return fn();
  } catch (error) {
    throw fromNative(error);
  }
}

module.exports = { SyneriseAuthError, STATUS, fromNative, native };
