import type { TokenEndpointOptions } from './index.js';

/** Minimal shapes of Express's request and response, so that Express's types are not required. */
export interface ExpressLikeRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

/** The token endpoint as Express middleware: `app.post('/api/synerise-token', syneriseToken({...}))`. */
export declare function syneriseToken<Req extends ExpressLikeRequest = ExpressLikeRequest>(
  options: TokenEndpointOptions<Req>,
): (req: Req, res: any, next: (error?: unknown) => void) => Promise<void>;
