/** Reading what the event gate saw: `GET /gate/v1/events`, newest first. */

import { isRecord, readRefusal, unreachable } from './http';

export const GATE_EVENTS_ENDPOINT = '/gate/v1/events';

export interface GateEvent {
  id: string;
  /** When the gate decided, ISO-8601. */
  at: string;
  /** The event's action; `null` for a malformed event the gate refused without one. */
  action: string | null;
  label: string;
  uuid: string;
  accepted: boolean;
  reason: string | null;
  detail: string | null;
}

export type VerdictFilter = 'all' | 'accepted' | 'refused';

export interface GateQuery {
  verdict: VerdictFilter;
  /** One action, or `null` for every action. */
  action: string | null;
  limit: number;
}

const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

function toGateEvent(value: unknown): GateEvent | null {
  if (!isRecord(value) || typeof value.accepted !== 'boolean') return null;
  const id = text(value.id);
  const at = text(value.at);
  if (id === null || at === null) return null;
  return {
    id,
    at,
    action: text(value.action),
    label: text(value.label) ?? '',
    uuid: text(value.uuid) ?? '',
    accepted: value.accepted,
    reason: text(value.reason),
    detail: text(value.detail),
  };
}

export function gateEventsUrl(query: GateQuery, endpoint = GATE_EVENTS_ENDPOINT): string {
  const params = new URLSearchParams({ limit: String(query.limit) });
  if (query.verdict !== 'all') params.set('accepted', query.verdict === 'accepted' ? 'true' : 'false');
  if (query.action !== null) params.set('action', query.action);
  return `${endpoint}?${params.toString()}`;
}

/**
 * Fetches the gate's latest decisions. The filters go to the server, and are applied again here
 * so the page shows the right rows even from a gate that ignores a parameter.
 */
export async function fetchGateEvents(query: GateQuery, signal?: AbortSignal): Promise<GateEvent[]> {
  let response: Response;
  try {
    response = await fetch(gateEventsUrl(query), {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
      ...(signal ? { signal } : {}),
    });
  } catch (cause) {
    throw new Error(unreachable('event gate', cause));
  }
  if (!response.ok) throw new Error((await readRefusal(response, 'event gate')).message);
  const body: unknown = await response.json();
  const list = isRecord(body) && Array.isArray(body.events) ? body.events : [];
  return list
    .map(toGateEvent)
    .filter((e): e is GateEvent => e !== null)
    .filter((e) => query.verdict === 'all' || e.accepted === (query.verdict === 'accepted'))
    .filter((e) => query.action === null || e.action === query.action)
    .slice(0, query.limit);
}
