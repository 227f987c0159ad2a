// @ts-check
/**
 * The /plain page: sign-in, the tracker's token and events with the one-script SDK
 * (`window.SyneriseAuth`, from /sdk/synerise-auth.js) and plain DOM calls, as a server-rendered
 * shop would write them.
 */
(function () {
  'use strict';

  /** @type {any} */
  const w = window;
  const { createSyneriseAuth, getSession, signIn } = w.SyneriseAuth;
  const auth = createSyneriseAuth();
  // For the browser tests and the console.
  w.plainAuth = auth;

  /** @param {string} id */
  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

  /** @param {string | null} text */
  function showProblem(text) {
    $('problem').textContent = text ?? '';
    $('problem').hidden = !text;
  }

  /** @param {{status: string, token: {email: string, uuid: string, expiresAt: Date} | null}} state */
  function render(state) {
    const token = state.status === 'authenticated' ? state.token : null;
    $('signed-in').hidden = !token;
    $('signed-out').hidden = !!token;
    if (token) {
      $('who').textContent = token.email;
      $('uuid').textContent = token.uuid;
      $('expires').textContent = token.expiresAt.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
    }
  }
  auth.subscribe(render);
  auth.onFailure((/** @type {{reason: string, message: string}} */ failure) => showProblem(`${failure.message} (${failure.reason})`));

  $('sign-in').addEventListener('submit', async (event) => {
    event.preventDefault();
    showProblem(null);
    const email = /** @type {HTMLInputElement} */ ($('email')).value;
    const password = /** @type {HTMLInputElement} */ ($('password')).value;
    const session = await signIn(email, password);
    if (!session.ok) {
      showProblem(session.message);
      return;
    }
    /** @type {HTMLInputElement} */ ($('password')).value = '';
    await auth.authenticate(session.email);
  });

  $('sign-out').addEventListener('click', () => {
    showProblem(null);
    void auth.logout();
  });

  /** @param {{action: string, accepted: boolean, status: number, reason: string | null, tokenSent: string | null}} verdict */
  function logVerdict(verdict) {
    const item = document.createElement('li');
    const outcome = document.createElement('span');
    outcome.className = verdict.accepted ? 'accepted' : 'refused';
    outcome.textContent = verdict.accepted ? 'accepted' : `refused: ${verdict.reason}`;
    item.append(`${verdict.action} ${verdict.tokenSent ? 'with' : 'without'} a token: `, outcome);
    $('verdicts').prepend(item);
  }
  window.addEventListener('synerise:verdict', (event) => {
    const verdict = /** @type {CustomEvent} */ (event).detail;
    logVerdict(verdict);
    // A refused token is renewed once; refusals of tokens already replaced are ignored.
    if (!verdict.accepted && verdict.status === 401 && verdict.tokenSent) {
      void auth.onTokenRefused(verdict.tokenSent, verdict.reason);
    }
  });

  $('send-form').addEventListener('click', () => w.SR?.event.sendFormData('plain page form', { source: 'plain' }));
  $('send-visit').addEventListener('click', () => w.SR?.event.pageVisit());

  // After a reload the session cookie is still there, the token is not: ask for one again.
  getSession()
    .then((/** @type {string | null} */ email) => (email ? auth.authenticate(email) : null))
    .catch((/** @type {Error} */ error) => showProblem(error.message));
})();
