import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PlaidBackend } from '../plaid-backend.js';
import { RequestBody } from './request-body.js';

export interface PlaidCall {
  body: RequestBody;
  /** The authenticated client_id. */
  clientId: string;
  request: FastifyRequest;
}

export type PlaidHandler = (call: PlaidCall) => object | Promise<object>;

const requestIds = new WeakMap<FastifyRequest, string>();

/** The request_id of a request: made once, so the answer and any error for it carry the same id. */
export function requestIdFor(request: FastifyRequest, backend: PlaidBackend): string {
  let id = requestIds.get(request);
  if (id === undefined) {
    id = backend.nextRequestId();
    requestIds.set(request, id);
  }
  return id;
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Register a Plaid endpoint: every Plaid endpoint is a POST with a JSON body; `client_id` and `secret` come from the
 * body or, as the SDK sends them, the `PLAID-CLIENT-ID` / `PLAID-SECRET` headers; every answer carries `request_id`.
 * Errors thrown as PlaidApiError are rendered by the app's error handler with the same request id.
 */
export function plaidRoute(app: FastifyInstance, backend: PlaidBackend, path: string, handler: PlaidHandler): void {
  app.post(path, async (request, reply) => {
    const requestId = requestIdFor(request, backend);
    const body = RequestBody.from(request.body);
    const clientIdField = body.raw('client_id');
    const secretField = body.raw('secret');
    const clientId = backend.authenticate(
      typeof clientIdField === 'string' ? clientIdField : header(request, 'plaid-client-id'),
      typeof secretField === 'string' ? secretField : header(request, 'plaid-secret'),
    );
    const result = await handler({ body, clientId, request });
    return reply.code(200).send({ ...result, request_id: requestId });
  });
}
