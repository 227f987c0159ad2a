/**
 * Reading the server's answers. Every refusal from synerise-auth is JSON
 * `{"error": "<sentence>", "code": "<stable code>"}`; the sentence is written for the visitor, so
 * it is shown as is, and the code is for programs.
 */

/** A refusal as the visitor should see it. */
export interface ServerRefusal {
  /** The server's sentence, or a plain description of the HTTP status when it sent none. */
  message: string;
  /** The server's stable code (`invalid_credentials`, `rate_limited`...), when it sent one. */
  code: string | null;
  status: number;
  /** Seconds until a rate-limited request may be retried, from `Retry-After`. */
  retryAfterSeconds: number | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a non-2xx response into a {@link ServerRefusal}. Never throws. */
export async function readRefusal(response: Response, what: string): Promise<ServerRefusal> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's HTML error page, an empty body): fall back to the status below.
  }
  const sentence = isRecord(body) && typeof body.error === 'string' && body.error.trim() ? body.error : null;
  const code = isRecord(body) && typeof body.code === 'string' ? body.code : null;
  const retryHeader = response.headers.get('Retry-After');
  const retry = retryHeader !== null && /^\d+$/.test(retryHeader.trim()) ? Number(retryHeader.trim()) : null;
  return {
    message: sentence ?? `The ${what} answered HTTP ${response.status}.`,
    code,
    status: response.status,
    retryAfterSeconds: retry,
  };
}

/** The sentence shown when a request never got an answer. */
export function unreachable(what: string, cause: unknown): string {
  const detail = cause instanceof Error && cause.message ? ` (${cause.message})` : '';
  return `Could not reach the ${what}${detail}.`;
}

const JSON_TYPE = 'application/json';

/** What a request carries besides its body: the cookies' policy and extra headers. */
export interface RequestExtras {
  /** `same-origin` (the default): cookies go to this site only; `include`: to another origin too. */
  credentials?: 'same-origin' | 'include' | undefined;
  headers?: Record<string, string> | undefined;
}

/**
 * A JSON request, by default same-origin: the session cookie goes with it, and never to, or from,
 * another site. A request that got no answer is a refusal with status 0. Never throws.
 */
export async function send(method: string, url: string, what: string, body?: unknown, extras: RequestExtras = {}): Promise<Response | ServerRefusal> {
  try {
    return await fetch(url, {
      method,
      credentials: extras.credentials ?? 'same-origin',
      headers: { Accept: JSON_TYPE, ...(body === undefined ? {} : { 'Content-Type': JSON_TYPE }), ...extras.headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (cause) {
    return { message: unreachable(what, cause), code: null, status: 0, retryAfterSeconds: null };
  }
}

export { isRecord };
