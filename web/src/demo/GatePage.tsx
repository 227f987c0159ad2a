import { useEffect, useState } from 'react';

import { utc, utcTime } from './format';
import { fetchGateEvents, type GateEvent, type VerdictFilter } from './gateEvents';

const POLL_MS = 1000;
const LIMIT = 50;
const KNOWN_ACTIONS = ['page.visit', 'form.submit', 'client.createOrUpdate', 'demo.buttonClicked'];

/** The event gate's live view: every decision it made, newest first, refreshed every second. */
export function GatePage() {
  const [verdict, setVerdict] = useState<VerdictFilter>('all');
  const [action, setAction] = useState<string | null>(null);
  const [events, setEvents] = useState<GateEvent[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [actions, setActions] = useState<string[]>(KNOWN_ACTIONS);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // One request at a time: the next poll is scheduled when the previous one has finished, so a
    // slow gate is not flooded.
    const poll = async () => {
      try {
        const latest = await fetchGateEvents({ verdict, action, limit: LIMIT }, controller.signal);
        setEvents(latest);
        setProblem(null);
        setUpdatedAt(new Date());
        setActions((known) => {
          const more = latest.flatMap((e) => (e.action === null || known.includes(e.action) ? [] : [e.action]));
          return more.length ? [...known, ...new Set(more)] : known;
        });
      } catch (cause) {
        if (controller.signal.aborted) return;
        setProblem(cause instanceof Error ? cause.message : String(cause));
      }
      if (!controller.signal.aborted) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [verdict, action]);

  return (
    <section className="card card--wide" aria-labelledby="gate-title">
      <div className="gate-head">
        <div>
          <h2 id="gate-title">Event gate</h2>
          <p className="muted">
            Every event the local gate checked, with its verdict, as Synerise would decide it.{' '}
            <span className={problem ? 'live live--down' : 'live'}>
              {problem ? 'Not updating' : updatedAt ? `Live, updated ${utc(updatedAt).slice(11)}` : 'Connecting…'}
            </span>
          </p>
        </div>
        <div className="filters">
          <fieldset className="segmented">
            <legend className="visually-hidden">Verdict</legend>
            {(['all', 'accepted', 'refused'] as const).map((value) => (
              <label key={value} className={verdict === value ? 'segmented__on' : undefined}>
                <input type="radio" name="verdict" value={value} checked={verdict === value} onChange={() => setVerdict(value)} />
                {value === 'all' ? 'All' : value === 'accepted' ? 'Accepted' : 'Refused'}
              </label>
            ))}
          </fieldset>
          <label className="select">
            Action{' '}
            <select value={action ?? ''} onChange={(e) => setAction(e.target.value === '' ? null : e.target.value)}>
              <option value="">All actions</option>
              {actions.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>

      {problem ? (
        <p className="error" role="alert">
          {problem}
        </p>
      ) : null}

      {events === null ? null : events.length === 0 ? (
        <p className="muted empty">No events yet. Send some from the demo page.</p>
      ) : (
        <table className="gate-table">
          <thead>
            <tr>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Verdict</th>
              <th scope="col">Action</th>
              <th scope="col">Label</th>
              <th scope="col">Customer uuid</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id} data-accepted={e.accepted}>
                <td className="nowrap">{utcTime(e.at)}</td>
                <td>
                  <span className={e.accepted ? 'badge badge--ok' : 'badge badge--bad'}>{e.accepted ? 'accepted' : 'refused'}</span>
                </td>
                <td>{e.action === null ? <span className="muted">(none)</span> : <code>{e.action}</code>}</td>
                <td className="nowrap">{e.label}</td>
                <td>
                  {e.uuid ? <code title={e.uuid}>{e.uuid.slice(0, 8)}…</code> : <span className="muted">(none)</span>}
                </td>
                <td>
                  {e.reason ? <code>{e.reason}</code> : null}
                  {e.detail ? <span className="muted"> {e.detail}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
