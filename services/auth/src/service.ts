import { fileURLToPath } from 'node:url';
import { streams } from '@fintech/contracts';
import {
  ACCESS_TOKEN_TYPE,
  connectNats,
  createFieldCipher,
  createGrpcServer,
  createInternalTokenVerifier,
  createJwksCache,
  createLogger,
  createOutboxRelay,
  createPool,
  createPrismaAdapter,
  createTokenVerifier,
  ensureStream,
  parseFieldKeys,
  runMigrations,
  type Logger,
} from '@fintech/kit';
import type { AuthConfig } from './env';
import type { AuthDeps } from './deps';
import { createUserRepository } from './db/user-repository';
import { PrismaClient } from './generated/prisma/client';
import { createSigningKeyStore } from './keys/signing-keys';
import { createTokenIssuer } from './keys/token-issuer';
import { registerAuthService } from './server';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../prisma/migrations', import.meta.url));

export interface AuthService {
  /** The bound gRPC port. */
  port: number;
  deps: AuthDeps;
  stop(): Promise<void>;
}

/**
 * The composition root: migrations → database → keys → NATS + outbox relay → gRPC server. `stop()` tears down in
 * the reverse order: stop taking calls, drain the relay, close NATS, close the database.
 */
export async function startAuthService(
  config: AuthConfig,
  options: { logger?: Logger; now?: () => Date } = {},
): Promise<AuthService> {
  const logger = options.logger ?? createLogger({ name: 'auth', level: config.LOG_LEVEL });
  const schema = config.DATABASE_SCHEMA;
  await runMigrations({ connectionString: config.DATABASE_URL, schema, migrationsDir: MIGRATIONS_DIR, logger });

  const prisma = new PrismaClient({
    adapter: createPrismaAdapter({ connectionString: config.DATABASE_URL, schema, max: config.DATABASE_POOL_MAX }),
  });
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    schema,
    max: Math.min(4, config.DATABASE_POOL_MAX),
    logger,
  });
  const fieldKeys = parseFieldKeys(config.FIELD_ENCRYPTION_KEYS);
  const cipher = createFieldCipher({ keys: fieldKeys.keys, current: fieldKeys.current });
  const keys = createSigningKeyStore(prisma, cipher);
  await keys.init();
  const jwks = createJwksCache({ fetchJwks: () => keys.jwks(), minRefreshIntervalMs: 5_000 });

  const nats = await connectNats({ servers: config.NATS_URL, name: 'auth' });
  await ensureStream(nats, { name: streams.auth.name, subjects: [...streams.auth.subjects] });
  const relay = createOutboxRelay({ pool, nats, logger, schema });
  relay.start();

  const deps: AuthDeps = {
    config,
    prisma,
    cipher,
    users: createUserRepository(cipher),
    keys,
    tokens: createTokenIssuer({
      keys,
      issuer: config.TOKEN_ISSUER,
      accessAudience: config.ACCESS_TOKEN_AUDIENCE,
      accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      internalTtlSeconds: config.INTERNAL_TOKEN_TTL_SECONDS,
    }),
    accessTokens: createTokenVerifier({
      getKey: jwks.getKey,
      issuer: config.TOKEN_ISSUER,
      audience: config.ACCESS_TOKEN_AUDIENCE,
      typ: ACCESS_TOKEN_TYPE,
    }),
    logger,
    now: options.now ?? (() => new Date()),
    eventsCommitted: () => relay.wake(),
  };

  const internal = createInternalTokenVerifier({ getKey: jwks.getKey, issuer: config.TOKEN_ISSUER });
  const server = createGrpcServer({ logger, verifyToken: internal.verify, maxInFlight: config.GRPC_MAX_IN_FLIGHT });
  registerAuthService(server, deps);
  const port = await server.listen(config.GRPC_LISTEN);

  return {
    port,
    deps,
    async stop() {
      await server.shutdown(5_000);
      await relay.stop();
      await nats.drain().catch(() => nats.close());
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
