import { createHmac } from 'node:crypto';
import { authV1, paymentsV1 } from '@fintech/contracts';
import { connectNats, createServiceClient, type CallOptions, type ClientHandle } from '@fintech/kit';
import type { Sandbox } from '@fintech/sandbox';
import { startTestFleet, testDatabaseUrl, testNatsUrl, type TestFleet } from '@fintech/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import type { PaymentsConfig, PaymentsDeps } from '../src/index';

export type PaymentsClient = paymentsV1.PaymentsServiceClient<CallOptions> & ClientHandle;
export type AuthClient = authV1.AuthServiceClient<CallOptions> & ClientHandle;

export const STRIPE_KEY = 'sk_test_payments_tests';
export const WEBHOOK_SECRET = 'whsec_payments_test_secret';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  /** An internal token for the user with all of its scopes, as the gateway gets one. */
  token: string;
}

export interface PaymentsFixture {
  auth: TestFleet['auth'];
  authClient: AuthClient;
  sandbox: Sandbox;
  payments: { port: number; webhookUrl: string; deps: PaymentsDeps; config: PaymentsConfig };
  client: PaymentsClient;
  nats: NatsConnection;
  schema: string;
  /** The payments service's clock, movable by tests. */
  clock: { offsetMs: number };
  createUser(role?: string): Promise<TestUser>;
  /** An internal token narrowed to some scopes. */
  tokenWithScopes(user: TestUser, scopes: string[]): Promise<string>;
  /** Saves a card for the user and returns its method id. */
  addCard(user: TestUser, token?: string): Promise<string>;
  /** The user's PaymentIntents as the provider holds them. */
  providerIntents(user: TestUser): Promise<{ id: string; amount: number; status: string }[]>;
  stop(): Promise<void>;
}

let counter = 0;

/** The environment of a payments service pointed at a sandbox and an auth service (for a service in a child process). */
export function paymentsEnv(input: {
  schema: string;
  sandbox: Sandbox;
  authPort: number;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_SCHEMA: input.schema,
    NATS_URL: testNatsUrl(),
    GRPC_LISTEN: '127.0.0.1:0',
    WEBHOOK_PORT: '0',
    AUTH_GRPC_ADDRESS: `127.0.0.1:${input.authPort}`,
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_API_BASE: input.sandbox.urls.stripe,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...input.extra,
  };
}

/**
 * The fleet fixture without a gateway: a real auth service, the Stripe sandbox with a webhook endpoint pointing at
 * the payments service, and the payments service itself on its own schema, with real gRPC clients.
 */
export async function startPaymentsFixture(extra: Record<string, string> = {}): Promise<PaymentsFixture> {
  const clock = { offsetMs: 0 };
  const fleet = await startTestFleet({
    services: ['payments'],
    gateway: false,
    env: { payments: { STRIPE_SECRET_KEY: STRIPE_KEY, ...extra } },
    now: { payments: () => new Date(Date.now() + clock.offsetMs) },
  });
  const running = fleet.service<PaymentsDeps, PaymentsConfig>('payments');
  const payments = {
    port: running.port,
    webhookUrl: `${running.http!.origin}/webhooks/stripe`,
    deps: running.deps,
    config: running.config,
  };
  const { auth } = fleet;
  const sandbox = fleet.sandbox!;
  const schema = running.config.DATABASE_SCHEMA;
  const client = createServiceClient<PaymentsClient>(paymentsV1.PaymentsServiceDefinition, {
    address: `127.0.0.1:${payments.port}`,
    deadlineMs: 10_000,
  });
  const authClient = createServiceClient<AuthClient>(authV1.AuthServiceDefinition, {
    address: `127.0.0.1:${auth.port}`,
  });
  const nats = await connectNats({ servers: testNatsUrl(), name: 'payments-test' });

  const exchange = async (accessToken: string, scopes: string[] = []) =>
    (await authClient.exchangeToken({ subject_token: accessToken, subject_token_type: 'access_token', scopes }))
      .internal_token;

  const fixture: PaymentsFixture = {
    auth,
    authClient,
    sandbox,
    payments,
    client,
    nats,
    schema,
    clock,
    async createUser(role) {
      const email = `payer${++counter}-${schema}@example.com`;
      const password = 'correct horse battery staple';
      const { id } = await fleet.createUser({ email, password, ...(role ? { role } : {}) });
      const signIn = await authClient.authenticateUser({ username: email, password });
      return { id, email, password, accessToken: signIn.token, token: await exchange(signIn.token) };
    },
    tokenWithScopes: (user, scopes) => exchange(user.accessToken, scopes),
    async addCard(user, token = 'pm_card_visa') {
      const added = await client.addPaymentMethod({ user_id: 'me', payment_token: token }, { token: user.token });
      return added.method!.method_id;
    },
    async providerIntents(user) {
      const customer = await payments.deps.prisma.customer.findUnique({ where: { userId: user.id } });
      if (!customer) return [];
      const response = await fetch(
        `${sandbox.urls.stripe}/v1/payment_intents?customer=${customer.stripeCustomerId}&limit=100`,
        { headers: { authorization: `Bearer ${STRIPE_KEY}` } },
      );
      return ((await response.json()) as { data: { id: string; amount: number; status: string }[] }).data;
    },
    async stop() {
      client.close();
      authClient.close();
      await nats.close();
      await fleet.stop();
    },
  };
  return fixture;
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of a base32 secret at a time, as an authenticator app shows it. */
export function totp(secretBase32: string, atMs: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of secretBase32.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  }
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 30_000)));
  const digest = createHmac('sha1', Buffer.from(bytes)).update(counter).digest();
  const offset = digest[digest.length - 1]! & 0x0f;
  const code = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, '0');
}

/** The rejection of a promise, for asserting on its reason and field. */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ reason: string; message: string; field?: string; metadata: Record<string, string> }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { reason: string; message: string; field?: string; metadata: Record<string, string> };
    return { reason: e.reason, message: e.message, field: e.field, metadata: e.metadata };
  }
  throw new Error('expected the call to fail');
}
