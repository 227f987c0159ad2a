import { describe, expect, it } from 'vitest';

import { jsonResponse, mockFetch } from '../../test/helpers';
import { fetchGateEvents, gateEventsUrl } from './gateEvents';

const row = (id: number, action: string, accepted: boolean) => ({
  id,
  at: '2026-11-23T19:40:17Z',
  action,
  label: action,
  uuid: '4ab0a007-0000-4000-8000-000000000000',
  accepted,
  reason: accepted ? null : 'token_required',
  detail: accepted ? null : 'A token is required.',
});

describe('the gate page data', () => {
  it('asks the gate for the chosen filters', () => {
    expect(gateEventsUrl({ verdict: 'all', action: null, limit: 50 })).toBe('/gate/v1/events?limit=50');
    expect(gateEventsUrl({ verdict: 'refused', action: 'form.submit', limit: 50 })).toBe(
      '/gate/v1/events?limit=50&accepted=false&action=form.submit',
    );
  });

  it('applies the filters itself too, and skips rows it cannot read', async () => {
    mockFetch({
      'GET /gate/v1/events?limit=50&accepted=false': () =>
        jsonResponse(200, { events: [row(3, 'form.submit', false), row(2, 'page.visit', true), { id: 1 }] }),
    });

    const events = await fetchGateEvents({ verdict: 'refused', action: null, limit: 50 });

    expect(events.map((e) => [e.id, e.accepted, e.reason])).toEqual([['3', false, 'token_required']]);
  });

  it('keeps a malformed event the gate refused without an action', async () => {
    const malformed = { ...row(4, 'x', false), action: null, reason: 'malformed_event' };
    mockFetch({
      'GET /gate/v1/events?limit=50': () => jsonResponse(200, { events: [malformed, row(3, 'form.submit', false)] }),
    });

    const events = await fetchGateEvents({ verdict: 'all', action: null, limit: 50 });

    expect(events.map((e) => [e.id, e.action, e.reason])).toEqual([
      ['4', null, 'malformed_event'],
      ['3', 'form.submit', 'token_required'],
    ]);
  });

  it("reports the gate's sentence when it refuses", async () => {
    mockFetch({ 'GET /gate/v1/events?limit=50': () => jsonResponse(404, { error: 'The gate is not enabled.', code: 'not_found' }) });

    await expect(fetchGateEvents({ verdict: 'all', action: null, limit: 50 })).rejects.toThrow('The gate is not enabled.');
  });
});
