'use strict';
// The token endpoint as a Next.js App Router route handler, on web Request and Response:
//   // app/api/synerise-token/route.ts
//   export const POST = tokenRoute({ issuer, customer: async (request) => (await auth())?.user?.email });

const { answerTokenRequest, MAX_BODY_BYTES } = require('./contract.cjs');
const { SyneriseAuthError } = require('./errors.cjs');

/** The body as text, refused past MAX_BODY_BYTES by its declared or its read length. */
async function bodyText(request) {
  const declared = Number(request.headers.get('content-length'));
  if (declared > MAX_BODY_BYTES) throw new SyneriseAuthError('payload_too_large', 'request body too large');
  return request.text();
}

/**
 * @param {object} options
 * @param {import('./issuer.cjs').Issuer} options.issuer
 * @param {(request: Request) => (string | null | undefined | Promise<string | null | undefined>)} options.customer
 * @param {{ check(key: string): number }} [options.limit]
 * @param {string[]} [options.allowedOrigins]
 * @param {(error: unknown) => void} [options.onError]
 * @returns {(request: Request) => Promise<Response>}
 */
function tokenRoute(options) {
  const { customer, ...rest } = options;
  return async function POST(request) {
    const body = request.method === 'POST' ? bodyText(request) : undefined;
    if (body) body.catch(() => {});
    const answer = await answerTokenRequest(
      {
        method: request.method,
        header: (name) => request.headers.get(name) ?? undefined,
        body,
      },
      { ...rest, customer: () => customer(request) },
    );
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
}

module.exports = { tokenRoute };
