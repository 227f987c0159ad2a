/** Reading the gate's answers: the core package's refusal reader and two small helpers. */
export { readRefusal } from '@synerise-auth/browser';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The sentence shown when a request never got an answer. */
export function unreachable(what: string, cause: unknown): string {
  const detail = cause instanceof Error && cause.message ? ` (${cause.message})` : '';
  return `Could not reach the ${what}${detail}. Check your connection and try again.`;
}
