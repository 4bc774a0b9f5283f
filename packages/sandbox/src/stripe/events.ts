import { createHmac } from 'node:crypto';
import type { SeededRandom } from '../core/random.js';
import type { WebhookSender } from '../core/webhooks.js';
import type { RequestInfo } from './context.js';
import type { Store } from './store.js';
import type { StripeEvent, WebhookEndpoint } from './types.js';

/**
 * The `Stripe-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<payload>" keyed with the endpoint
 * secret>`, as documented at https://docs.stripe.com/webhooks#verify-manually, so `stripe.webhooks.constructEvent`
 * accepts it.
 */
export function stripeSignatureHeader(payload: string, secret: string, timestamp: number): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

export interface EventBusOptions {
  store: Store;
  sender: WebhookSender;
  /** Secrets of the endpoints, kept apart because Stripe shows a secret only once, on creation. */
  secrets: Map<string, string>;
  ids: SeededRandom;
  now(): number;
  request(): RequestInfo;
}

export function createEventEmitter(options: EventBusOptions) {
  // `store` and `ids` are read on every call: the emulator swaps them on reset.
  const { sender, secrets } = options;

  const listens = (endpoint: WebhookEndpoint, type: string) =>
    endpoint.status === 'enabled' && (endpoint.enabled_events.includes('*') || endpoint.enabled_events.includes(type));

  return function emit(type: string, object: unknown, previousAttributes?: Record<string, unknown>): StripeEvent {
    const request = options.request();
    const endpoints = options.store.webhookEndpoints.all().filter((endpoint) => listens(endpoint, type));
    const event: StripeEvent = {
      id: options.ids.idFor('evt'),
      object: 'event',
      api_version: request.apiVersion,
      created: options.now(),
      data: previousAttributes
        ? { object: structuredClone(object), previous_attributes: structuredClone(previousAttributes) }
        : { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: endpoints.length,
      request: { id: request.id, idempotency_key: request.idempotencyKey },
      type,
    };
    options.store.events.insert(event);
    for (const endpoint of [...endpoints].reverse()) {
      const secret = secrets.get(endpoint.id);
      if (!secret) continue;
      const payload = JSON.stringify(event, null, 2);
      sender.send({
        url: endpoint.url,
        body: payload,
        label: event.id,
        headers: () => ({
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          // Signed with the wall clock, not the sandbox clock: receivers check the timestamp against their own
          // clock (five minutes of tolerance by default in the SDKs), and a test that moves the sandbox clock
          // must not make every delivery look like a replay attack.
          'stripe-signature': stripeSignatureHeader(payload, secret, Math.floor(Date.now() / 1000)),
        }),
      });
    }
    return event;
  };
}
