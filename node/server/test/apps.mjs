// The two token-endpoint handlers served for real on free ports, as a shop serves them: the
// Express middleware in an Express app, and the Next.js App Router handler behind a node:http
// adapter. Who is signed in is the test's stand-in for a shop's session: the `x-test-customer`
// header (and `session-store-down` makes reading it throw, as a session store that is down).
import express from 'express';

import { syneriseToken } from '@synerise-auth/server/express';
import { tokenRoute } from '@synerise-auth/server/next';
import { listen } from './helpers.mjs';

/** The customer the stand-in session names, or null; throws for `session-store-down`. */
export function signedIn(header) {
  if (header === 'session-store-down') throw new Error('the session store is down');
  return header || null;
}

/** `syneriseToken(options)` at /api/synerise-token of an Express app; resolves with its base URL. */
export async function expressApp(t, options) {
  const app = express();
  app.all('/api/synerise-token', syneriseToken({ ...options, customer: (req) => signedIn(req.get('x-test-customer')) }));
  return listen(t, app);
}

/**
 * `tokenRoute(options)` (what `app/api/synerise-token/route.ts` exports as `POST`) served as
 * Next.js serves it: Next's Node server receives the node:http request, turns it into a WHATWG
 * `Request` (URL, method, headers, body), calls the route's exported handler with it, and writes
 * the `Response` it returns (status, headers, body) back to the node:http response. This adapter
 * does the same, so the handler is exercised through the same web API it gets in Next.js.
 */
export async function nextApp(t, options) {
  const POST = tokenRoute({ ...options, customer: (request) => signedIn(request.headers.get('x-test-customer')) });
  return listen(t, async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
      body: ['GET', 'HEAD'].includes(req.method) ? undefined : body,
    });
    const response = await POST(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
}

/** Both handlers, by name, for tests that run the same cases against each. */
export const HANDLERS = [
  ['Express middleware', expressApp],
  ['Next.js route handler', nextApp],
];
