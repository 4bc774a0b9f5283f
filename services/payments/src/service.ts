import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { authV1, streams } from '@fintech/contracts';
import {
  connectNats,
  createGrpcServer,
  createInternalTokenVerifier,
  createJwksCache,
  createJwksFetcher,
  createLogger,
  createOutboxRelay,
  createPool,
  createPrismaAdapter,
  createServiceClient,
  applySafetyMigrations,
  createConfirmationStore,
  createIdempotencyStore,
  ensureStream,
  runMigrations,
  toMinorUnits,
  type AmountLimits,
  type Logger,
} from '@fintech/kit';
import { createStripeAdapter } from './adapters/stripe';
import type { AuthClient, PaymentsDeps } from './deps';
import type { PaymentsConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
import { registerPaymentsService } from './server';
import { buildWebhookApp } from './webhooks/webhook-app';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../prisma/migrations', import.meta.url));

export interface PaymentsService {
  /** The bound gRPC port. */
  port: number;
  /** The bound port of the webhook endpoint (POST /webhooks/stripe). */
  webhookPort: number;
  /** The full URL to register at Stripe as the webhook endpoint. */
  webhookUrl: string;
  deps: PaymentsDeps;
  stop(): Promise<void>;
}

function parseLimits(config: PaymentsConfig): Map<string, AmountLimits> {
  const limits = new Map<string, AmountLimits>();
  for (const [currency, value] of Object.entries(config.PAYMENT_LIMITS)) {
    const minor = (amount: string, name: string) =>
      toMinorUnits(amount, currency, { field: `PAYMENT_LIMITS.${currency}.${name}` });
    limits.set(currency, {
      perOperationMax: minor(value.per_payment_max, 'per_payment_max'),
      rollingTotalMax: minor(value.daily_total_max, 'daily_total_max'),
      confirmationThreshold: minor(value.confirmation_threshold, 'confirmation_threshold'),
    });
  }
  return limits;
}

/**
 * The composition root: migrations → database → merchants → Stripe adapter → NATS + outbox relay → gRPC server and
 * webhook endpoint. `stop()` tears down in the reverse order: stop taking calls and webhooks, drain the relay, close
 * NATS and the database.
 */
export async function startPaymentsService(
  config: PaymentsConfig,
  options: { logger?: Logger; now?: () => Date } = {},
): Promise<PaymentsService> {
  const logger = options.logger ?? createLogger({ name: 'payments', level: config.LOG_LEVEL });
  const schema = config.DATABASE_SCHEMA;
  const defaultLimits = parseLimits(config);
  const stripe = createStripeAdapter({
    secretKey: config.STRIPE_SECRET_KEY,
    apiBase: config.STRIPE_API_BASE,
    timeoutMs: config.STRIPE_TIMEOUT_MS,
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    webhookToleranceSeconds: config.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
    allowLive: config.STRIPE_ALLOW_LIVE,
  });
  await runMigrations({ connectionString: config.DATABASE_URL, schema, migrationsDir: MIGRATIONS_DIR, logger });
  // The kit's agent-safety tables (idempotency records, confirmations), until the kit's runtime applies its own.
  await applySafetyMigrations({ connectionString: config.DATABASE_URL, schema });

  const prisma = new PrismaClient({
    adapter: createPrismaAdapter({ connectionString: config.DATABASE_URL, schema, max: 20 }),
  });
  const pool = createPool({ connectionString: config.DATABASE_URL, schema, max: 4, logger });
  const paymentsPool = createPool({
    connectionString: config.DATABASE_URL,
    schema,
    max: config.DATABASE_POOL_MAX,
    logger,
  });
  for (const merchant of config.MERCHANTS) {
    await prisma.merchant.upsert({
      where: { id: merchant.id },
      create: { id: merchant.id, displayName: merchant.name, stripeAccountId: merchant.stripe_account ?? null },
      update: { displayName: merchant.name, stripeAccountId: merchant.stripe_account ?? null },
    });
  }

  const nats = await connectNats({ servers: config.NATS_URL, name: 'payments' });
  await ensureStream(nats, { name: streams.payments.name, subjects: [...streams.payments.subjects] });
  const relay = createOutboxRelay({ pool, nats, logger });
  relay.start();

  const jwksSource = createJwksFetcher(config.AUTH_GRPC_ADDRESS);
  const jwks = createJwksCache({ fetchJwks: jwksSource.fetchJwks, minRefreshIntervalMs: 5_000 });
  const auth = createServiceClient<AuthClient>(authV1.AuthServiceDefinition, {
    address: config.AUTH_GRPC_ADDRESS,
    deadlineMs: 3_000,
  });
  const now = options.now ?? (() => new Date());

  const deps: PaymentsDeps = {
    config,
    prisma,
    pool: paymentsPool,
    stripe,
    auth,
    idempotency: createIdempotencyStore({
      pool: paymentsPool,
      leaseMs: config.IDEMPOTENCY_LEASE_MS,
      retentionSeconds: config.IDEMPOTENCY_RETENTION_SECONDS,
      derivedWindowSeconds: config.DERIVED_IDEMPOTENCY_WINDOW_SECONDS,
      now,
      logger,
    }),
    confirmations: createConfirmationStore({ pool: paymentsPool, ttlSeconds: config.CONFIRMATION_TTL_SECONDS, now }),
    defaultLimits,
    logger,
    now,
    eventsCommitted: () => relay.wake(),
  };

  const internal = createInternalTokenVerifier({ getKey: jwks.getKey, issuer: config.TOKEN_ISSUER });
  const server = createGrpcServer({ logger, verifyToken: internal.verify, maxInFlight: config.GRPC_MAX_IN_FLIGHT });
  registerPaymentsService(server, deps);
  const webhooks = buildWebhookApp(deps);
  await webhooks.listen({ host: config.WEBHOOK_HOST, port: config.WEBHOOK_PORT });
  const webhookPort = (webhooks.server.address() as AddressInfo).port;
  const port = await server.listen(config.GRPC_LISTEN);

  return {
    port,
    webhookPort,
    webhookUrl: `http://${config.WEBHOOK_HOST}:${webhookPort}/webhooks/stripe`,
    deps,
    async stop() {
      await server.shutdown(5_000);
      await webhooks.close();
      await relay.stop();
      await nats.drain().catch(() => nats.close());
      auth.close();
      jwksSource.close();
      await prisma.$disconnect();
      await paymentsPool.end();
      await pool.end();
    },
  };
}
