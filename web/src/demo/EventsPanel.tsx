import { useState } from 'react';

import { waitForSdk, type SyneriseSdk } from '@synerise-auth/browser';
import { sendFormData, sendPageVisit, trackCustomEvent } from '@synerise-auth/react';
import type { Verdict } from './verdicts';

/** A verdict with a number that identifies it in the list. */
export interface LoggedVerdict {
  id: number;
  verdict: Verdict;
}

interface EventsPanelProps {
  /** Newest first. */
  verdicts: LoggedVerdict[];
  signedIn: boolean;
}

type Sender = (sdk: SyneriseSdk) => unknown;

const EVENTS: { name: string; action: string; send: Sender }[] = [
  { name: 'page.visit', action: 'page.visit', send: (sdk) => sendPageVisit(sdk) },
  {
    name: 'custom event',
    action: 'demo.buttonClicked',
    send: (sdk) => trackCustomEvent(sdk, 'demo.buttonClicked', { button: 'demo' }, 'Demo button clicked'),
  },
  {
    name: 'form.submit',
    action: 'form.submit',
    send: (sdk) => sendFormData(sdk, 'Newsletter sign-up', { newsletter: 'weekly' }),
  },
];

/** Buttons that send events through the SDK, and the verdict for each as it comes back. */
export function EventsPanel({ verdicts, signedIn }: EventsPanelProps) {
  const [problem, setProblem] = useState<string | null>(null);

  async function send(sender: Sender) {
    setProblem(null);
    try {
      // The verdict itself arrives through the `synerise:verdict` announcement the page listens to.
      await sender(await waitForSdk(3000));
    } catch (cause) {
      setProblem(cause instanceof Error ? cause.message : String(cause));
    }
  }

  return (
    <section className="card" aria-labelledby="events-title">
      <h2 id="events-title">Send events</h2>
      <p className="muted">
        {signedIn
          ? 'Events now carry the token. form.submit requires one, so the gate accepts it now.'
          : 'You are anonymous: page.visit and custom events are accepted, form.submit needs a token.'}
      </p>
      <div className="button-row">
        {EVENTS.map((event) => (
          <button key={event.name} type="button" className="sa-button" onClick={() => void send(event.send)}>
            Send {event.name}
          </button>
        ))}
      </div>
      {problem ? (
        <p className="error" role="alert">
          {problem}
        </p>
      ) : null}
      <h3>Verdicts</h3>
      {verdicts.length === 0 ? (
        <p className="muted">No event sent yet.</p>
      ) : (
        <ol className="verdicts" aria-label="Verdicts" aria-live="polite">
          {verdicts.map(({ id, verdict: v }) => (
            <li key={id} className="verdict" data-action={v.action} data-accepted={v.accepted}>
              <span className={v.accepted ? 'badge badge--ok' : 'badge badge--bad'}>
                {v.accepted ? 'accepted' : 'refused'}
              </span>
              <code className="verdict__action">{v.action}</code>
              <span className="verdict__token">{v.tokenSent ? 'with token' : 'anonymous'}</span>
              {v.accepted ? null : (
                <span className="verdict__reason">
                  <code>{v.reason}</code>
                  {v.detail ? ` ${v.detail}` : null}
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
