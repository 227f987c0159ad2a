/**
 * The built-in customer accounts' session: `POST /api/session` signs in (and sets an HttpOnly
 * session cookie the page never sees), `GET /api/session` says who is signed in, and
 * `DELETE /api/session` signs out. Sites with their own sign-in replace this module, not the hook.
 */

import { isRecord, readRefusal, send, type RequestExtras, type ServerRefusal } from './http';

/** Where the session lives. */
export const DEFAULT_SESSION_ENDPOINT = '/api/session';

export interface SessionRequestOptions {
  /** Defaults to {@link DEFAULT_SESSION_ENDPOINT}. */
  endpoint?: string;
}

export type SignInResult = { ok: true; email: string } | ({ ok: false } & ServerRefusal);

const WHAT = 'sign-in service';

async function emailFrom(response: Response): Promise<string | null> {
  try {
    const body: unknown = await response.json();
    return isRecord(body) && typeof body.email === 'string' ? body.email : null;
  } catch {
    return null;
  }
}

/** Signs in with the built-in accounts. Never throws: a refusal or a network failure is a result. */
export async function signIn(email: string, password: string, options: SessionRequestOptions = {}): Promise<SignInResult> {
  const response = await send('POST', options.endpoint ?? DEFAULT_SESSION_ENDPOINT, WHAT, { email, password });
  if (!('ok' in response)) return { ok: false, ...response };
  if (!response.ok) return { ok: false, ...(await readRefusal(response, WHAT)) };
  // The server normalises the address (trims it, lower-cases the domain); use its version.
  return { ok: true, email: (await emailFrom(response)) ?? email.trim() };
}

/**
 * Who is signed in: their email, or `null` when nobody is (401). Used on page load to restore the
 * state a reload would otherwise lose. Throws with the server's sentence on any other answer.
 */
export async function getSession(options: SessionRequestOptions = {}): Promise<string | null> {
  const response = await send('GET', options.endpoint ?? DEFAULT_SESSION_ENDPOINT, WHAT);
  if (!('ok' in response)) throw new Error(response.message);
  if (response.status === 401) return null;
  if (!response.ok) throw new Error((await readRefusal(response, WHAT)).message);
  const email = await emailFrom(response);
  if (email === null) throw new Error('The sign-in service sent no email.');
  return email;
}

/** `DELETE` on the session endpoint: `null` when done (a 401 counts: nobody was signed in). */
export async function deleteSession(endpoint: string = DEFAULT_SESSION_ENDPOINT, extras?: RequestExtras): Promise<ServerRefusal | null> {
  const response = await send('DELETE', endpoint, WHAT, undefined, extras);
  if (!('ok' in response)) return response;
  return response.ok || response.status === 401 ? null : readRefusal(response, WHAT);
}

/**
 * Signs out: the server destroys the session. Resolves `null` on success (a 401 counts: nobody
 * was signed in), or the sentence to show. Never throws.
 */
export async function signOut(options: SessionRequestOptions = {}): Promise<string | null> {
  return (await deleteSession(options.endpoint))?.message ?? null;
}
