/**
 * Sending events through the tracker (`SR.event`), for pages that show their verdicts: the
 * event-tracking pages name these calls. Synerise's tracker returns nothing useful; the local
 * stand-in returns the gate's verdict as a Promise, which is why results are typed `unknown`.
 */
import { SdkUnavailableError, type SyneriseEvents, type SyneriseSdk } from '@synerise-auth/browser';

function events(sdk: SyneriseSdk): SyneriseEvents {
  if (!sdk.event) throw new SdkUnavailableError('The tracker has no event API (SR.event).');
  return sdk.event;
}

/** Sends a `page.visit`. Single-page apps send it themselves on each view. */
export function sendPageVisit(sdk: SyneriseSdk): unknown {
  return events(sdk).pageVisit();
}

/** Sends a custom event, e.g. `trackCustomEvent(sdk, 'demo.buttonClicked', {}, 'Clicked')`. */
export function trackCustomEvent(
  sdk: SyneriseSdk,
  action: string,
  params: Record<string, unknown>,
  label: string,
): unknown {
  return events(sdk).trackCustomEvent(action, params, label);
}

/** Sends a `form.submit` with the form's fields. Synerise requires a token for it by default. */
export function sendFormData(sdk: SyneriseSdk, label: string, params: Record<string, unknown>): unknown {
  return events(sdk).sendFormData(label, params);
}
