import { AuthEnv, createUser, startAuthService, type AuthService } from '@fintech/auth';
import { GatewayEnv, startGateway, type Gateway } from '@fintech/gateway';
import { PaymentsEnv, startPaymentsService, type PaymentsService } from '@fintech/payments';
import { startSandbox, type Sandbox } from '@fintech/sandbox';
import { dropTestSchema, testDatabaseUrl, testFieldKeys, testNatsUrl, uniqueSchema } from '@fintech/testing';

export interface TestFleet {
  auth: AuthService;
  gateway: Gateway;
  /** The MCP endpoint (Streamable HTTP). */
  url: string;
  /** The gateway's origin, e.g. http://127.0.0.1:40123. */
  origin: string;
  createUser(input?: { role?: string; fullName?: string }): Promise<{ id: string; email: string; password: string }>;
  /** The payments service, when the fleet was started with `payments`. */
  payments?: PaymentsService;
  /** The provider sandbox the payments service talks to, when started with `payments`. */
  sandbox?: Sandbox;
  stop(): Promise<void>;
}

/** The Stripe test key and webhook secret the fleet's payments service and sandbox share. */
export const FLEET_STRIPE_KEY = 'sk_test_fleet_payments';
export const FLEET_WEBHOOK_SECRET = 'whsec_fleet_payments';

export interface FleetOptions {
  extraProtoRoots?: string[];
  gatewayEnv?: Record<string, string>;
  /** Also start the provider sandbox and the payments service (extra environment for it, if any). */
  payments?: boolean | { env?: Record<string, string> };
}

let counter = 0;

/**
 * The auth service and the gateway, in this process but talking over real gRPC and HTTP, on real Postgres (a
 * schema of its own) and NATS.
 */
export async function startTestFleet(options: FleetOptions = {}): Promise<TestFleet> {
  const schema = uniqueSchema('auth');
  const level = process.env.TEST_LOG_LEVEL ?? 'silent';
  const auth = await startAuthService(
    AuthEnv.parse({
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_SCHEMA: schema,
      NATS_URL: testNatsUrl(),
      FIELD_ENCRYPTION_KEYS: testFieldKeys(),
      GRPC_LISTEN: '127.0.0.1:0',
      LOG_LEVEL: level,
    }),
  );
  let sandbox: Sandbox | undefined;
  let payments: PaymentsService | undefined;
  const paymentsSchema = uniqueSchema('payments');
  const serviceAddresses = options.gatewayEnv?.SERVICE_ADDRESSES ? [options.gatewayEnv.SERVICE_ADDRESSES] : [];
  if (options.payments) {
    sandbox = await startSandbox({
      seed: paymentsSchema,
      ports: { stripe: 0, plaid: 0, alpaca: 0, admin: 0 },
      webhooks: { retryDelaysMs: [50, 200], timeoutMs: 2000 },
    });
    payments = await startPaymentsService(
      PaymentsEnv.parse({
        DATABASE_URL: testDatabaseUrl(),
        DATABASE_SCHEMA: paymentsSchema,
        NATS_URL: testNatsUrl(),
        GRPC_LISTEN: '127.0.0.1:0',
        WEBHOOK_PORT: '0',
        AUTH_GRPC_ADDRESS: `127.0.0.1:${auth.port}`,
        STRIPE_SECRET_KEY: FLEET_STRIPE_KEY,
        STRIPE_API_BASE: sandbox.urls.stripe,
        STRIPE_WEBHOOK_SECRET: FLEET_WEBHOOK_SECRET,
        LOG_LEVEL: level,
        ...(typeof options.payments === 'object' ? options.payments.env : {}),
      }),
    );
    sandbox.stripe.addWebhookEndpoint(payments.webhookUrl, FLEET_WEBHOOK_SECRET);
    serviceAddresses.push(`payments=127.0.0.1:${payments.port}`);
  }
  const gateway = await startGateway(
    GatewayEnv.parse({
      GATEWAY_PORT: '0',
      AUTH_GRPC_ADDRESS: `127.0.0.1:${auth.port}`,
      LOG_LEVEL: level,
      NATS_URL: testNatsUrl(),
      ...options.gatewayEnv,
      ...(serviceAddresses.length > 0 ? { SERVICE_ADDRESSES: serviceAddresses.join(',') } : {}),
    }),
    { extraProtoRoots: options.extraProtoRoots },
  );
  return {
    auth,
    gateway,
    url: gateway.url,
    origin: new URL(gateway.url).origin,
    payments,
    sandbox,
    async createUser(input = {}) {
      const email = `agent${++counter}-${schema}@example.com`;
      const password = 'correct horse battery staple';
      const id = await createUser(auth.deps, { email, password, ...input });
      return { id, email, password };
    },
    async stop() {
      await gateway.close();
      await payments?.stop();
      await sandbox?.close();
      await auth.stop();
      await dropTestSchema(schema);
      if (payments) await dropTestSchema(paymentsSchema);
    },
  };
}
