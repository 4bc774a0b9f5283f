import type { FastifyInstance } from 'fastify';
import { jsonRpcError, JsonRpcErrorCode } from '../http/json-rpc-error';

/**
 * Caps what a client without a credential may send: its only tools are sign-in and token refresh, so a flood of
 * anonymous POSTs is password guessing or abuse. A token bucket per client address (refilled continuously) answers
 * 429 with Retry-After when empty; account lockout in the auth service covers guessing spread over many addresses.
 * Buckets live in this replica's memory, so with N replicas the effective limit is up to N times this.
 */
export function registerAnonymousRateLimit(app: FastifyInstance, options: { perMinute: number }): void {
  if (options.perMinute <= 0) return;
  const capacity = options.perMinute;
  const refillPerMs = options.perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();

  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'POST' || request.headers.authorization) return;
    if (!request.url.startsWith('/mcp')) return;
    const now = Date.now();
    const key = request.ip;
    const bucket = buckets.get(key) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) * refillPerMs);
    bucket.at = now;
    if (bucket.tokens < 1) {
      buckets.set(key, bucket);
      const retryAfter = Math.ceil((1 - bucket.tokens) / refillPerMs / 1000);
      return reply
        .code(429)
        .header('Retry-After', String(retryAfter))
        .send(jsonRpcError(null, JsonRpcErrorCode.ServerError, 'Too many requests without a credential; retry later'));
    }
    bucket.tokens -= 1;
    buckets.set(key, bucket);
    if (buckets.size > 100_000) {
      for (const [k, b] of buckets) if (now - b.at > 60_000) buckets.delete(k);
    }
  });
}
