import { fileURLToPath } from 'node:url';
import { authV1, paymentsV1, streams } from '@fintech/contracts';
import {
  createConfirmationStore,
  createIdempotencyStore,
  createServiceClient,
  defineService,
  type RunningService,
  type StartOptions,
} from '@fintech/kit';
import { createStripeAdapter } from './adapters/stripe';
import type { AuthClient, PaymentsDeps } from './deps';
import { PaymentsEnv, defaultLimits, type PaymentsConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
import { createAddPaymentMethod } from './handlers/add-payment-method';
import { createGetPaymentHistory } from './handlers/get-payment-history';
import { createGetPaymentStatus } from './handlers/get-payment-status';
import { createInitiatePayment } from './handlers/initiate-payment';
import { createListPaymentMethods } from './handlers/list-payment-methods';
import { createProcessRefund } from './handlers/process-refund';
import { buildWebhookApp } from './webhooks/webhook-app';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../prisma/migrations', import.meta.url));

/** The webhook path of the HTTP ingress, registered at Stripe (or the sandbox) as the endpoint's URL. */
const STRIPE_WEBHOOK_PATH = '/webhooks/stripe';

/** The payments service: cards through Stripe, payments and refunds, with limits, confirmation and idempotency. */
export const service = defineService({
  name: 'payments',
  env: PaymentsEnv,
  migrationsDir: MIGRATIONS_DIR,
  stream: streams.payments,
  prisma: (adapter) => new PrismaClient({ adapter }),
  async deps({ config, prisma, pool, logger, now, eventsCommitted, onStop }): Promise<PaymentsDeps> {
    const limits = defaultLimits(config);
    for (const merchant of config.MERCHANTS) {
      await prisma.merchant.upsert({
        where: { id: merchant.id },
        create: { id: merchant.id, displayName: merchant.name, stripeAccountId: merchant.stripe_account ?? null },
        update: { displayName: merchant.name, stripeAccountId: merchant.stripe_account ?? null },
      });
    }
    const auth = createServiceClient<AuthClient>(authV1.AuthServiceDefinition, {
      address: config.AUTH_GRPC_ADDRESS,
      deadlineMs: 3_000,
    });
    onStop(() => auth.close());
    return {
      config,
      prisma,
      pool,
      stripe: createStripeAdapter({
        secretKey: config.STRIPE_SECRET_KEY,
        apiBase: config.STRIPE_API_BASE,
        timeoutMs: config.STRIPE_TIMEOUT_MS,
        webhookSecret: config.STRIPE_WEBHOOK_SECRET,
        webhookToleranceSeconds: config.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
        allowLive: config.STRIPE_ALLOW_LIVE,
      }),
      auth,
      // The kit's agent-safety records (docs/decisions/010, 011, 017), on the service's pool.
      idempotency: createIdempotencyStore({
        pool,
        leaseMs: config.IDEMPOTENCY_LEASE_MS,
        retentionSeconds: config.IDEMPOTENCY_RETENTION_SECONDS,
        derivedWindowSeconds: config.DERIVED_IDEMPOTENCY_WINDOW_SECONDS,
        now,
        logger,
      }),
      confirmations: createConfirmationStore({ pool, ttlSeconds: config.CONFIRMATION_TTL_SECONDS, now }),
      defaultLimits: limits,
      logger,
      now,
      eventsCommitted,
    };
  },
  grpc: {
    service: paymentsV1.PaymentsServiceDefinition,
    handlers: (deps) =>
      ({
        listPaymentMethods: createListPaymentMethods(deps),
        getPaymentHistory: createGetPaymentHistory(deps),
        getPaymentStatus: createGetPaymentStatus(deps),
        addPaymentMethod: createAddPaymentMethod(deps),
        initiatePayment: createInitiatePayment(deps),
        processRefund: createProcessRefund(deps),
      }) satisfies paymentsV1.PaymentsServiceHandlers<never>,
  },
  // Stripe delivers events to POST /webhooks/stripe, signed with STRIPE_WEBHOOK_SECRET.
  http: {
    app: (deps) => buildWebhookApp(deps),
    listen: (config) => ({ host: config.WEBHOOK_HOST, port: config.WEBHOOK_PORT }),
  },
  sandbox: {
    env: (urls) => ({ STRIPE_API_BASE: urls.stripe }),
    webhooks: [{ provider: 'stripe', path: STRIPE_WEBHOOK_PATH, secretEnv: 'STRIPE_WEBHOOK_SECRET' }],
  },
});

export interface PaymentsService extends RunningService<PaymentsConfig, PaymentsDeps> {
  /** The bound port of the webhook endpoint. */
  webhookPort: number;
  /** The full URL to register at Stripe as the webhook endpoint. */
  webhookUrl: string;
}

/** Starts the payments service (migrations, NATS, relay, gRPC, webhooks); `stop()` tears down in reverse order. */
export async function startPaymentsService(
  config: PaymentsConfig,
  options: StartOptions = {},
): Promise<PaymentsService> {
  const running = await service.start(config, options);
  const http = running.http!;
  return { ...running, webhookPort: http.port, webhookUrl: `${http.origin}${STRIPE_WEBHOOK_PATH}` };
}
