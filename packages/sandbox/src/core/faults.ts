import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Emulator } from './types.js';

export type ProviderName = Emulator['name'];

/** The error statuses a fault can answer with. */
export type FaultStatus = 429 | 500 | 503;

/** What to break, and how, for reliability tests. */
export interface FaultRule {
  /** Only this emulator; every emulator when absent. */
  provider?: ProviderName;
  /** HTTP method (any when absent). */
  method?: string;
  /**
   * Path to match, without the query string. `*` matches within one segment, `**` matches anything, `:name` matches
   * one segment: `/v1/payment_intents/:id/confirm`, `/v1/**`. A RegExp is tested as is.
   */
  path: string | RegExp;
  /** Delay before the request is handled (or failed, or dropped). */
  latencyMs?: number;
  /** Answer with this status and the provider's own error body instead of handling the request. */
  status?: FaultStatus;
  /** Replace the provider-shaped error body. */
  body?: unknown;
  /**
   * Destroy the socket without writing a response. `true` or `'before'`: the request is never handled. `'after'`: the
   * request is handled (its effects happen) and only the response is lost, the case idempotency keys exist for.
   */
  drop?: boolean | 'before' | 'after';
  /** The fault applies to this many matching requests, then clears itself. Forever when absent. */
  times?: number;
}

export interface Fault extends FaultRule {
  readonly id: string;
  /** Matching requests this fault has affected so far. */
  hits: number;
}

export interface FaultInjector {
  add(rule: FaultRule): Fault;
  remove(id: string): boolean;
  clear(): void;
  list(): Fault[];
  /** The onRequest hook that applies the faults of one emulator (all but `drop: 'after'`). */
  hook(provider: ProviderName): onRequestAsyncHookHandler;
  /** Add the hooks that apply this injector's faults to an emulator app (before it starts listening). */
  install(app: FastifyInstance, provider: ProviderName): void;
}

function pathMatcher(pattern: string | RegExp): RegExp {
  if (pattern instanceof RegExp) return pattern;
  const source = pattern
    .split(/(\*\*|\*|:[A-Za-z_][A-Za-z0-9_]*)/)
    .map((part) => {
      if (part === '**') return '.*';
      if (part === '*') return '[^/]*';
      if (part.startsWith(':')) return '[^/]+';
      return part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/**
 * Error bodies in each provider's documented shape, so client code under test takes the same branch it would take
 * against the real API (Stripe's SDK, for one, maps a 429 to StripeRateLimitError by status and `code`).
 */
export function providerErrorBody(provider: ProviderName, status: FaultStatus, requestId: string): unknown {
  if (provider === 'stripe') {
    return status === 429
      ? {
          error: {
            type: 'invalid_request_error',
            code: 'rate_limit',
            message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.',
            doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
          },
        }
      : { error: { type: 'api_error', message: 'An unknown error occurred', request_log_url: null } };
  }
  if (provider === 'plaid') {
    const [errorType, errorCode, message] =
      status === 429
        ? ['RATE_LIMIT_EXCEEDED', 'RATE_LIMIT', 'rate limit exceeded for this endpoint']
        : status === 503
          ? ['API_ERROR', 'PLANNED_MAINTENANCE', 'the Plaid API is temporarily unavailable']
          : ['API_ERROR', 'INTERNAL_SERVER_ERROR', 'an unexpected error occurred'];
    return {
      error_type: errorType,
      error_code: errorCode,
      error_message: message,
      display_message: null,
      request_id: requestId,
    };
  }
  return status === 429
    ? { code: 42910000, message: 'rate limit exceeded' }
    : { code: 50010000, message: status === 503 ? 'service unavailable' : 'internal server error occurred' };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createFaultInjector(): FaultInjector {
  const faults: Array<{ fault: Fault; matcher: RegExp }> = [];
  let counter = 0;

  const remove = (id: string): boolean => {
    const index = faults.findIndex((entry) => entry.fault.id === id);
    if (index < 0) return false;
    faults.splice(index, 1);
    return true;
  };

  // Requests whose response must be lost once they have been handled.
  const dropAfterHandling = new WeakSet<FastifyRequest>();

  const take = (provider: ProviderName, method: string, path: string): Fault | undefined => {
    const entry = faults.find(
      ({ fault, matcher }) =>
        (fault.provider === undefined || fault.provider === provider) &&
        (fault.method === undefined || fault.method.toUpperCase() === method) &&
        matcher.test(path),
    );
    if (!entry) return undefined;
    entry.fault.hits += 1;
    if (entry.fault.times !== undefined && entry.fault.hits >= entry.fault.times) remove(entry.fault.id);
    return entry.fault;
  };

  const injector: FaultInjector = {
    add(rule) {
      if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) {
        throw new RangeError('times must be a positive integer');
      }
      if (rule.status !== undefined && ![429, 500, 503].includes(rule.status)) {
        throw new RangeError('status must be 429, 500 or 503');
      }
      if (rule.latencyMs === undefined && rule.status === undefined && !rule.drop) {
        throw new RangeError('a fault needs latencyMs, status or drop');
      }
      counter += 1;
      const fault: Fault = { ...rule, id: `fault_${counter}`, hits: 0 };
      faults.push({ fault, matcher: pathMatcher(rule.path) });
      return fault;
    },
    remove,
    clear() {
      faults.length = 0;
    },
    list() {
      return faults.map(({ fault }) => fault);
    },
    hook(provider) {
      return async (request: FastifyRequest, reply: FastifyReply) => {
        const path = request.url.split('?')[0] ?? request.url;
        const fault = take(provider, request.method, path);
        if (!fault) return;
        if (fault.latencyMs) await sleep(fault.latencyMs);
        if (fault.drop === 'after') {
          dropAfterHandling.add(request);
          return;
        }
        if (fault.drop) {
          reply.hijack();
          request.raw.socket.destroy();
          return reply;
        }
        if (fault.status) {
          const body = fault.body ?? providerErrorBody(provider, fault.status, `req_fault_${fault.id}`);
          return reply.code(fault.status).header('content-type', 'application/json; charset=utf-8').send(body);
        }
      };
    },
    install(app, provider) {
      app.addHook('onRequest', injector.hook(provider));
      app.addHook('onSend', async (request, _reply, payload) => {
        if (dropAfterHandling.has(request)) request.raw.socket.destroy();
        return payload;
      });
    },
  };
  return injector;
}
