import type { TokenEndpointOptions } from './index.js';

/** The token endpoint as a Next.js App Router handler: `export const POST = tokenRoute({...})`. */
export declare function tokenRoute(options: TokenEndpointOptions<Request>): (request: Request) => Promise<Response>;
