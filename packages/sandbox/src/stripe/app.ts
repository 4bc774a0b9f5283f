import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { SeededRandom } from '../core/random.js';
import { DEFAULT_API_VERSION, type StripeContext } from './context.js';
import { StripeApiError, type StripeErrorBody } from './errors.js';
import { expandResponse } from './expand.js';
import { parseForm, type FormRecord } from './form.js';
import type { createIdempotencyStore } from './idempotency.js';
import { canonicalParams, type SavedResponse } from './idempotency.js';
import { params } from './params.js';
import type { Route } from './router.js';

export interface StripeAppOptions {
  ctx: StripeContext;
  routes: Route[];
  idempotency: ReturnType<typeof createIdempotencyStore>;
  requestIds: () => SeededRandom;
  /** Runs before every authenticated request: catches the state up with the clock (billing cycles). */
  beforeRequest(): void;
}

const NO_KEY_MESSAGE =
  "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.";

function authError(message: string): StripeApiError {
  return new StripeApiError(401, { type: 'invalid_request_error', message }, false);
}

/**
 * The secret key of a request, from Bearer auth or from Basic auth with the key as user name (`curl -u sk_test_…:`),
 * both of which Stripe accepts. Only test-mode keys exist in the sandbox.
 */
function apiKeyOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) throw authError(NO_KEY_MESSAGE);
  const [scheme, credentials = ''] = header.split(' ', 2);
  let key = '';
  if (scheme?.toLowerCase() === 'bearer') key = credentials.trim();
  else if (scheme?.toLowerCase() === 'basic')
    key = Buffer.from(credentials, 'base64').toString('utf8').split(':')[0] ?? '';
  if (!key) throw authError(NO_KEY_MESSAGE);
  if (!/^(sk|rk)_test_[A-Za-z0-9_]+$/.test(key)) {
    const redacted =
      key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` : key;
    throw authError(`Invalid API Key provided: ${redacted}`);
  }
  return key;
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function errorResponse(error: StripeApiError, requestId: string): SavedResponse {
  const body: StripeErrorBody = {
    ...error.body,
    request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}`,
  };
  return { status: error.status, body: JSON.stringify({ error: body }, null, 2), headers: error.headers, requestId };
}

function send(reply: FastifyReply, response: SavedResponse): FastifyReply {
  return reply
    .code(response.status)
    .headers(response.headers)
    .header('content-type', 'application/json')
    .send(response.body);
}

/** The fastify app of the Stripe emulator: Stripe's encoding, auth, idempotency and error shape around the routes. */
export function buildStripeApp(options: StripeAppOptions): FastifyInstance {
  const { ctx, idempotency } = options;
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    routerOptions: { querystringParser: (text: string) => parseForm(text) },
  });
  app.removeAllContentTypeParsers();
  // The SDK always sends application/x-www-form-urlencoded; anything else is read the same way, as Stripe does.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseForm(typeof body === 'string' ? body : body.toString('utf8')));
  });

  const execute = (route: Route, request: FastifyRequest, requestId: string, apiVersion: string): SavedResponse => {
    const input = params({ ...(request.query as FormRecord), ...((request.body as FormRecord | undefined) ?? {}) });
    ctx.request = { id: requestId, idempotencyKey: headerValue(request, 'idempotency-key') ?? null, apiVersion };
    try {
      const result = route.handler(ctx, { path: request.params as Record<string, string>, input });
      const expand = input.stringList('expand') ?? [];
      const body = expand.length > 0 ? expandResponse(result, expand, (id) => ctx.store.find(id)) : result;
      return { status: 200, body: JSON.stringify(body, null, 2), headers: {}, requestId };
    } finally {
      ctx.request = { id: null, idempotencyKey: null, apiVersion: DEFAULT_API_VERSION };
    }
  };

  for (const route of options.routes) {
    app.route({
      method: route.method,
      url: route.path,
      handler: async (request, reply) => {
        const requestId = options.requestIds().idFor('req', 14);
        const apiVersion = headerValue(request, 'stripe-version') ?? DEFAULT_API_VERSION;
        reply.header('request-id', requestId).header('stripe-version', apiVersion);
        let response: SavedResponse;
        try {
          const apiKey = apiKeyOf(request);
          options.beforeRequest();
          const key = route.method === 'POST' ? headerValue(request, 'idempotency-key') : undefined;
          if (!key) {
            response = execute(route, request, requestId, apiVersion);
          } else {
            const fingerprint = canonicalParams(request.body ?? {});
            const decision = idempotency.begin(
              apiKey,
              key,
              `${route.method} ${request.url.split('?')[0]}`,
              fingerprint,
            );
            if (decision.kind === 'replay') {
              return send(reply, {
                ...decision.response,
                headers: {
                  ...decision.response.headers,
                  'idempotent-replayed': 'true',
                  'original-request': decision.response.requestId,
                },
              });
            }
            try {
              response = execute(route, request, requestId, apiVersion);
              decision.save(response);
            } catch (error) {
              if (error instanceof StripeApiError && error.savedForIdempotency) {
                response = errorResponse(error, requestId);
                decision.save(response);
              } else {
                decision.release();
                throw error;
              }
            }
          }
        } catch (error) {
          if (!(error instanceof StripeApiError)) throw error;
          response = errorResponse(error, requestId);
        }
        return send(reply, response);
      },
    });
  }

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    send(
      reply,
      errorResponse(
        new StripeApiError(404, {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${request.method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        }),
        'req_unrecognized',
      ),
    );
  });

  // One error handler: malformed requests become Stripe's invalid_request_error, anything else a 500 api_error that
  // hides the details, as Stripe's does.
  app.setErrorHandler((error: { statusCode?: number; message?: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? 400 : 500;
    const body: StripeErrorBody =
      status === 400
        ? { type: 'invalid_request_error', message: error.message ?? 'Invalid request' }
        : { type: 'api_error', message: 'An unknown error occurred' };
    if (status === 500) console.error('stripe emulator error', error);
    send(reply, { status, body: JSON.stringify({ error: body }, null, 2), headers: {}, requestId: 'req_error' });
  });

  return app;
}
