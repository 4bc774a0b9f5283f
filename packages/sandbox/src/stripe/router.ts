import type { StripeContext } from './context.js';
import type { Params } from './params.js';

export interface RouteRequest {
  /** Path parameters (`:id`). */
  path: Record<string, string>;
  /** The form body of a POST, the query string of a GET or DELETE. */
  input: Params;
}

/** One Stripe endpoint. Handlers are synchronous: the emulator's state changes atomically per request. */
export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  handler(ctx: StripeContext, request: RouteRequest): object;
}
