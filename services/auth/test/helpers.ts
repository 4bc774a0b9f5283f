import { authV1, type Input } from '@fintech/contracts';
import { createServiceClient, type CallOptions, type ClientHandle } from '@fintech/kit';
import { startTestFleet } from '@fintech/testing';
import { createUser, type AuthService } from '../src/index';

export type AuthClient = authV1.AuthServiceClient<CallOptions> & ClientHandle;

export interface AuthFixture {
  service: AuthService;
  client: AuthClient;
  schema: string;
  /** The service's clock, movable by tests (TOTP steps, lockout expiry). */
  clock: { now: number };
  createUser(input?: { email?: string; password?: string; role?: string; fullName?: string }): Promise<{
    id: string;
    email: string;
    password: string;
  }>;
  signIn(email: string, password: string): Promise<authV1.AuthenticateUserResponse>;
  /** An internal token for a user, the way the gateway gets one. */
  internalToken(accessToken: string): Promise<string>;
  stop(): Promise<void>;
}

let counter = 0;

/** A real auth service on real Postgres (own schema) and NATS (the fleet fixture, auth alone), and a gRPC client. */
export async function startAuthFixture(env: Record<string, string> = {}): Promise<AuthFixture> {
  const clock = { now: Date.now() };
  const fleet = await startTestFleet({ gateway: false, env: { auth: env }, now: { auth: () => new Date(clock.now) } });
  const service = fleet.auth;
  const schema = service.config.DATABASE_SCHEMA;
  const client = createServiceClient<AuthClient>(authV1.AuthServiceDefinition, {
    address: `127.0.0.1:${service.port}`,
  });
  return {
    service,
    client,
    schema,
    clock,
    async createUser(input = {}) {
      const email = input.email ?? `user${++counter}-${schema}@example.com`;
      const password = input.password ?? 'correct horse battery staple';
      const id = await createUser(service.deps, { email, password, role: input.role, fullName: input.fullName });
      return { id, email, password };
    },
    signIn: (email, password) => client.authenticateUser({ username: email, password }),
    async internalToken(accessToken) {
      return (await client.exchangeToken({ subject_token: accessToken, subject_token_type: 'access_token' }))
        .internal_token;
    },
    async stop() {
      client.close();
      await fleet.stop();
    },
  };
}

export type { Input };
