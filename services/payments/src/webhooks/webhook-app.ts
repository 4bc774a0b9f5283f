import Fastify, { type FastifyInstance } from 'fastify';
import type { PaymentsDeps } from '../deps';
import { applyStripeEvent } from './apply-stripe-event';

/**
 * The HTTP endpoint Stripe delivers events to: POST /webhooks/stripe. The signature is checked over the raw bytes
 * with the SDK's `stripe.webhooks.constructEvent` (HMAC-SHA256 with the endpoint secret and a timestamp tolerance,
 * https://docs.stripe.com/webhooks#verify-events), so the body is never parsed before it is verified.
 */
export function buildWebhookApp(deps: PaymentsDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 512 * 1024, forceCloseConnections: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post('/webhooks/stripe', async (request, reply) => {
    const signature = request.headers['stripe-signature'];
    if (typeof signature !== 'string' || !Buffer.isBuffer(request.body)) {
      return reply.code(400).send({ error: 'a signed Stripe event is expected' });
    }
    let event;
    try {
      event = deps.stripe.verifyWebhook(request.body, signature);
    } catch {
      deps.logger.warn({ ip: request.ip }, 'webhook refused: bad signature');
      return reply.code(400).send({ error: 'invalid signature' });
    }
    const applied = await applyStripeEvent(deps, event);
    deps.logger.debug({ eventId: event.id, type: event.type, applied }, 'stripe event');
    return reply.code(200).send({ received: true });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  // Stripe retries on any non-2xx, so a failure to apply an event answers 500 (without details) and is tried again.
  app.setErrorHandler((error: { statusCode?: number }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) deps.logger.error({ err: error }, 'webhook handling failed');
    return reply.code(status).send({ error: status === 500 ? 'internal error' : 'bad request' });
  });
  return app;
}
