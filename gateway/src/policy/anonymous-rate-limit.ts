import type { FastifyInstance } from 'fastify';
import { jsonRpcErrorsFor, JsonRpcErrorCode } from '../http/json-rpc-error';

/**
 * Caps what a client without a credential may send: its only tools are sign-in and token refresh, so a flood of
 * anonymous messages is password guessing or abuse. A token bucket per client address (refilled continuously) holds
 * `perMinute` JSON-RPC messages: a POST costs one token per message it carries, so a batch of 30 sign-in calls costs
 * 30, the same as 30 POSTs. A POST is served whole or not at all: when the bucket cannot pay for every message it
 * carries, nothing of it is evaluated and it is answered 429 with Retry-After (RFC 6585 §4), with one JSON-RPC error
 * per request carrying that request's own id. Account lockout in the auth service covers guessing spread over many
 * addresses. Buckets live in this replica's memory, so with N replicas the effective limit is up to N times this.
 *
 * The count happens after the body is parsed (preHandler), before any route evaluates a message.
 */
export function registerAnonymousRateLimit(app: FastifyInstance, options: { perMinute: number }): void {
  if (options.perMinute <= 0) return;
  const capacity = options.perMinute;
  const refillPerMs = options.perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();

  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || request.headers.authorization) return;
    // The matched route, not the raw URL: the router decodes percent-escapes, so `/%6Dcp` reaches `/mcp` too.
    if (!request.routeOptions.url?.startsWith('/mcp')) return;
    const body = request.body;
    // An empty batch is still one (invalid) request to answer.
    const cost = Array.isArray(body) ? Math.max(1, body.length) : 1;
    const now = Date.now();
    const key = request.ip;
    const bucket = buckets.get(key) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) * refillPerMs);
    bucket.at = now;
    buckets.set(key, bucket);
    if (bucket.tokens < cost) {
      if (cost > capacity) {
        // No wait makes room for it: say so instead of naming a Retry-After that would be a lie.
        return reply
          .code(429)
          .send(
            jsonRpcErrorsFor(
              body,
              JsonRpcErrorCode.ServerError,
              `A POST without a credential may carry at most ${capacity} JSON-RPC messages; this one carries ${cost}`,
            ),
          );
      }
      const retryAfter = Math.max(1, Math.ceil((cost - bucket.tokens) / refillPerMs / 1000));
      return reply
        .code(429)
        .header('Retry-After', String(retryAfter))
        .send(
          jsonRpcErrorsFor(body, JsonRpcErrorCode.ServerError, 'Too many messages without a credential; retry later'),
        );
    }
    bucket.tokens -= cost;
    if (buckets.size > 100_000) {
      for (const [k, b] of buckets) if (now - b.at > 60_000) buckets.delete(k);
    }
  });
}
