import { AuthEnv, createUser, startAuthService, type AuthService } from '@fintech/auth';
import { GatewayEnv, startGateway, type Gateway } from '@fintech/gateway';
import { dropTestSchema, testDatabaseUrl, testFieldKeys, testNatsUrl, uniqueSchema } from '@fintech/testing';

export interface TestFleet {
  auth: AuthService;
  gateway: Gateway;
  /** The MCP endpoint (Streamable HTTP). */
  url: string;
  /** The gateway's origin, e.g. http://127.0.0.1:40123. */
  origin: string;
  createUser(input?: { role?: string; fullName?: string }): Promise<{ id: string; email: string; password: string }>;
  stop(): Promise<void>;
}

let counter = 0;

/**
 * The auth service and the gateway, in this process but talking over real gRPC and HTTP, on real Postgres (a
 * schema of its own) and NATS.
 */
export async function startTestFleet(
  options: { extraProtoRoots?: string[]; gatewayEnv?: Record<string, string> } = {},
): Promise<TestFleet> {
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
  const gateway = await startGateway(
    GatewayEnv.parse({
      GATEWAY_PORT: '0',
      AUTH_GRPC_ADDRESS: `127.0.0.1:${auth.port}`,
      LOG_LEVEL: level,
      NATS_URL: testNatsUrl(),
      ...options.gatewayEnv,
    }),
    { extraProtoRoots: options.extraProtoRoots },
  );
  return {
    auth,
    gateway,
    url: gateway.url,
    origin: new URL(gateway.url).origin,
    async createUser(input = {}) {
      const email = `agent${++counter}-${schema}@example.com`;
      const password = 'correct horse battery staple';
      const id = await createUser(auth.deps, { email, password, ...input });
      return { id, email, password };
    },
    async stop() {
      await gateway.close();
      await auth.stop();
      await dropTestSchema(schema);
    },
  };
}
