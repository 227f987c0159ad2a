/**
 * The verdicts the SDK stand-in announces for each event it sends (`synerise:verdict` on window).
 * Synerise's own tracker announces nothing, so with it the demo shows only that an event was sent.
 */

import { isRecord } from './http';

export const VERDICT_EVENT = 'synerise:verdict';

export interface Verdict {
  action: string;
  label: string;
  uuid: string;
  /** The gate's HTTP status; 0 when it could not be reached. */
  status: number;
  accepted: boolean;
  /** The gate's stable reason code for a refusal, e.g. `token_required`. */
  reason: string | null;
  detail: string | null;
  /** The token the event carried, or `null` for an anonymous event. */
  tokenSent: string | null;
}

const nullableString = (v: unknown) => v === null || typeof v === 'string';

export function isVerdict(value: unknown): value is Verdict {
  return (
    isRecord(value) &&
    typeof value.action === 'string' &&
    typeof value.label === 'string' &&
    typeof value.uuid === 'string' &&
    typeof value.status === 'number' &&
    typeof value.accepted === 'boolean' &&
    nullableString(value.reason) &&
    nullableString(value.detail) &&
    nullableString(value.tokenSent)
  );
}

/** Calls `listener` with every verdict announced on this page; returns the unsubscribe function. */
export function onVerdict(listener: (verdict: Verdict) => void): () => void {
  const handle = (event: Event) => {
    const detail: unknown = (event as CustomEvent<unknown>).detail;
    if (isVerdict(detail)) listener(detail);
  };
  window.addEventListener(VERDICT_EVENT, handle);
  return () => window.removeEventListener(VERDICT_EVENT, handle);
}
