import type { FastifyPluginAsync } from 'fastify';
import { createRandom, type RandomState, type SeededRandom } from '../core/random.js';
import type { Emulator, EmulatorOptions } from '../core/types.js';
import { createWebhookSender, type WebhookDeliveryRecord } from '../core/webhooks.js';
import { buildStripeApp } from './app.js';
import { DEFAULT_API_VERSION, type RequestInfo, type StripeContext } from './context.js';
import { StripeApiError } from './errors.js';
import { createEventEmitter } from './events.js';
import { createIdempotencyStore, type IdempotencyEntry } from './idempotency.js';
import { billingRoutes } from './resources/billing.js';
import { chargeRoutes } from './resources/charges.js';
import { customerRoutes } from './resources/customers.js';
import { disputePaymentIntent, disputeRoutes } from './resources/disputes.js';
import { invoiceRoutes } from './resources/invoices.js';
import { completeAuthentication, paymentIntentRoutes } from './resources/payment-intents.js';
import { paymentMethodRoutes, restoreTestCards, testCardNumbers } from './resources/payment-methods.js';
import { productRoutes } from './resources/products.js';
import { refundRoutes } from './resources/refunds.js';
import { setupIntentRoutes } from './resources/setup-intents.js';
import {
  advanceSubscriptions,
  pendingProrationLines,
  restorePendingProrations,
  subscriptionRoutes,
} from './resources/subscriptions.js';
import { registerEndpoint, webhookRoutes, type EndpointRegistration } from './resources/webhooks.js';
import { createStore, type Store, type StoreSnapshot } from './store.js';
import type { Dispute, PaymentIntent, StripeEvent, WebhookEndpoint } from './types.js';

export interface StripeEmulatorOptions extends EmulatorOptions {
  /** Webhook endpoints that exist from the start and survive `reset()`, typically with a known secret. */
  webhookEndpoints?: EndpointRegistration[];
}

export interface StripeEmulator extends Emulator {
  readonly name: 'stripe';
  /**
   * Register a webhook endpoint without going through the API, e.g. with the `whsec_…` secret a service under test
   * is configured with. Forgotten on `reset()` (use `webhookEndpoints` in the options for permanent ones).
   */
  addWebhookEndpoint(url: string, secret?: string, enabledEvents?: string[]): WebhookEndpoint & { secret: string };
  /** Resolves once every webhook queued so far was delivered or used up its retries. */
  flushWebhooks(): Promise<void>;
  /** Every delivery attempted since the last reset, oldest first. */
  webhookDeliveries(): readonly WebhookDeliveryRecord[];
  /** Every event since the last reset, newest first (as `GET /v1/events` lists them). */
  events(): StripeEvent[];
  /** Open a dispute on a PaymentIntent's charge: emits `charge.dispute.created`. */
  disputePaymentIntent(paymentIntentId: string, options?: { reason?: string; amount?: number }): Dispute;
  /** Complete (or fail) the 3D Secure challenge of a PaymentIntent in requires_action. */
  completeAuthentication(paymentIntentId: string, outcome?: 'succeed' | 'fail'): PaymentIntent;
  /** Run the billing cycles due at the sandbox clock's time (also done before every API request). */
  tick(): void;
  admin: FastifyPluginAsync;
  close(): Promise<void>;
}

/** What a Stripe emulator's snapshot holds: objects, endpoint secrets, saved idempotent responses, id streams. */
interface StripeSnapshot {
  version: 1;
  seed: string;
  store: StoreSnapshot;
  secrets: Array<[string, string]>;
  idempotency: Array<[string, IdempotencyEntry]>;
  random: { ids: RandomState; requests: RandomState; values: RandomState };
  /** The test card behind each PaymentMethod (it decides how payments with it behave). */
  testCards: Array<[string, string]>;
  prorations: ReturnType<typeof pendingProrationLines>;
}

function collectRoutes(secrets: Map<string, string>) {
  return [
    ...customerRoutes,
    ...paymentMethodRoutes,
    ...setupIntentRoutes,
    ...paymentIntentRoutes,
    ...chargeRoutes,
    ...refundRoutes,
    ...disputeRoutes,
    ...productRoutes,
    ...subscriptionRoutes,
    ...invoiceRoutes,
    ...billingRoutes,
    ...webhookRoutes(secrets),
  ];
}

/** The Stripe emulator: Stripe's v1 API for customers, payments, refunds, billing and webhooks, in memory. */
export function createStripeEmulator(options: StripeEmulatorOptions): StripeEmulator {
  const { clock, seed } = options;
  const sender = createWebhookSender(options.webhooks);
  const secrets = new Map<string, string>();
  const now = () => Math.floor(clock.now().getTime() / 1000);
  const idempotency = createIdempotencyStore(now);
  const idleRequest = (): RequestInfo => ({ id: null, idempotencyKey: null, apiVersion: DEFAULT_API_VERSION });

  let store: Store = createStore();
  let random: SeededRandom = createRandom(`stripe\u0000${seed}`);
  let requestIds: SeededRandom = random.fork('requests');
  let values: SeededRandom = random.fork('values');

  const ctx: StripeContext = {
    get store() {
      return store;
    },
    get random() {
      return values;
    },
    clock,
    seed,
    id: (prefix, length) => random.idFor(prefix, length),
    now,
    emit: (type, object, previous) => emit(type, object, previous),
    request: idleRequest(),
  };
  const emit = createEventEmitter({
    get store() {
      return store;
    },
    sender,
    secrets,
    get ids() {
      return random;
    },
    now,
    request: () => ctx.request,
  });

  const registerPermanent = () => {
    for (const registration of options.webhookEndpoints ?? []) registerEndpoint(ctx, secrets, registration);
  };
  registerPermanent();

  const app = buildStripeApp({
    ctx,
    routes: collectRoutes(secrets),
    idempotency,
    requestIds: () => requestIds,
    beforeRequest: () => advanceSubscriptions(ctx),
  });

  const admin: FastifyPluginAsync = async (instance) => {
    instance.setErrorHandler((error, _request, reply) => {
      if (error instanceof StripeApiError) return reply.code(error.status).send({ error: error.body });
      const status = (error as { statusCode?: number }).statusCode ?? 500;
      return reply.code(status).send({ error: { type: 'api_error', message: (error as Error).message } });
    });
    // Registering a URL again replaces its endpoint: a fleet restarted on a kept sandbox state registers its
    // webhook URL at every start and must not end up with one delivery per start.
    instance.post<{ Body: { url: string; secret?: string; enabled_events?: string[] } }>(
      '/webhook_endpoints',
      async (request) => {
        for (const existing of store.webhookEndpoints.all()) {
          if (existing.url !== request.body.url) continue;
          store.webhookEndpoints.delete(existing.id);
          secrets.delete(existing.id);
        }
        return emulator.addWebhookEndpoint(request.body.url, request.body.secret, request.body.enabled_events);
      },
    );
    instance.post('/webhooks/flush', async () => {
      await sender.flush();
      return { deliveries: sender.deliveries() };
    });
    instance.get('/webhooks/deliveries', async () => ({ deliveries: sender.deliveries() }));
    instance.post<{ Params: { id: string }; Body: { reason?: string; amount?: number } | undefined }>(
      '/payment_intents/:id/dispute',
      async (request) => emulator.disputePaymentIntent(request.params.id, request.body ?? {}),
    );
    instance.post<{ Params: { id: string }; Body: { outcome?: 'succeed' | 'fail' } | undefined }>(
      '/payment_intents/:id/authenticate',
      async (request) => emulator.completeAuthentication(request.params.id, request.body?.outcome ?? 'succeed'),
    );
    instance.post('/billing/advance', async () => {
      emulator.tick();
      return { ok: true };
    });
  };

  const emulator: StripeEmulator = {
    name: 'stripe',
    app,
    admin,
    reset() {
      sender.reset();
      idempotency.clear();
      secrets.clear();
      store = createStore();
      random = createRandom(`stripe\u0000${seed}`);
      requestIds = random.fork('requests');
      values = random.fork('values');
      registerPermanent();
    },
    tick: () => advanceSubscriptions(ctx),
    addWebhookEndpoint(url, secret, enabledEvents) {
      const endpoint = registerEndpoint(ctx, secrets, { url, secret, enabledEvents });
      return { ...endpoint, secret: secrets.get(endpoint.id) ?? '' };
    },
    flushWebhooks: () => sender.flush(),
    webhookDeliveries: () => sender.deliveries(),
    events: () => store.events.all(),
    disputePaymentIntent: (id, disputeOptions) => disputePaymentIntent(ctx, id, disputeOptions),
    completeAuthentication: (id, outcome = 'succeed') => completeAuthentication(ctx, id, outcome),
    async close() {
      sender.reset();
    },
    snapshot(): StripeSnapshot {
      return {
        version: 1,
        seed,
        store: store.snapshot(),
        secrets: [...secrets],
        idempotency: idempotency.snapshot(),
        random: { ids: random.snapshot(), requests: requestIds.snapshot(), values: values.snapshot() },
        testCards: testCardNumbers(store),
        prorations: pendingProrationLines(store),
      };
    },
    restore(raw) {
      const snapshot = raw as StripeSnapshot;
      if (snapshot.version !== 1) throw new Error(`unknown Stripe snapshot version ${String(snapshot.version)}`);
      // Ids come from seeded streams: a snapshot of another seed would hand out ids its objects already use.
      if (snapshot.seed !== seed) throw new Error(`the Stripe snapshot was taken with seed "${snapshot.seed}"`);
      store.restore(snapshot.store);
      secrets.clear();
      for (const [id, secret] of snapshot.secrets) secrets.set(id, secret);
      idempotency.restore(snapshot.idempotency);
      random.restore(snapshot.random.ids);
      requestIds.restore(snapshot.random.requests);
      values.restore(snapshot.random.values);
      restoreTestCards(store, snapshot.testCards);
      restorePendingProrations(store, snapshot.prorations);
    },
  };
  return emulator;
}

export { stripeSignatureHeader } from './events.js';
export type { EndpointRegistration } from './resources/webhooks.js';
