import Fastify, { type FastifyInstance } from 'fastify';
import { PlaidApiError, plaidErrors } from './errors.js';
import type { PlaidBackend } from './plaid-backend.js';
import { requestIdFor } from './routes/plaid-route.js';
import { registerAccountRoutes } from './routes/account-routes.js';
import { registerInstitutionRoutes } from './routes/institution-routes.js';
import { registerItemRoutes } from './routes/item-routes.js';
import { registerSandboxRoutes } from './routes/sandbox-routes.js';
import { registerTransactionRoutes } from './routes/transaction-routes.js';

/** Fastify's own 4xx errors (body too large, bad encoding) concern the request body. */
const isClientError = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  'statusCode' in error &&
  typeof error.statusCode === 'number' &&
  error.statusCode < 500;

/** The fastify app (not listening) that serves Plaid's endpoints over `backend`. */
export function buildPlaidApp(backend: PlaidBackend): FastifyInstance {
  const app = Fastify({ logger: false });

  // Plaid takes JSON bodies only; a body that does not parse is INVALID_BODY in Plaid's error format rather than
  // fastify's, and the content type is not policed (the SDK always sends application/json).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text) as unknown);
    } catch {
      done(plaidErrors.invalidBody(), undefined);
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const requestId = requestIdFor(request, backend);
    let plaidError: PlaidApiError;
    if (error instanceof PlaidApiError) plaidError = error;
    else if (isClientError(error)) plaidError = plaidErrors.invalidBody();
    else plaidError = plaidErrors.internal();
    return reply.code(plaidError.status).send(plaidError.toBody(requestId));
  });

  app.setNotFoundHandler((request, reply) => {
    const error = plaidErrors.notFound();
    return reply.code(error.status).send(error.toBody(requestIdFor(request, backend)));
  });

  registerItemRoutes(app, backend);
  registerAccountRoutes(app, backend);
  registerInstitutionRoutes(app, backend);
  registerTransactionRoutes(app, backend);
  registerSandboxRoutes(app, backend);
  return app;
}
