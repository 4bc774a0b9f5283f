import { z } from 'zod';

/** Thrown when configuration does not parse; the message lists every offending variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses configuration once at start (`export const env = parseEnv(Env)`): every problem is reported together, and
 * values never echo (they may be secrets).
 */
export function parseEnv<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
}

/** A TCP port number given as a string. */
export const portSchema = z.coerce.number().int().min(0).max(65535);

/** A boolean flag given as "true"/"false"/"1"/"0". */
export const flagSchema = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1');

/** Variables every service of the fleet reads. */
export const serviceEnvShape = {
  /** pino level: fatal, error, warn, info, debug, trace, silent. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Postgres connection string; the service works in its own schema of this database. */
  DATABASE_URL: z.string().min(1),
  /**
   * Connections per pool. A service has two: Prisma's, and the plain `pg` pool its own SQL, the outbox relay and the
   * consumers share (docs/decisions/020); so at most twice this per replica.
   */
  DATABASE_POOL_MAX: z.coerce.number().int().positive().default(10),
  /** NATS servers, comma separated. */
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  /** Calls a gRPC server handles at once; more are refused with RESOURCE_EXHAUSTED (OVERLOADED) for a retry. */
  GRPC_MAX_IN_FLIGHT: z.coerce.number().int().positive().default(512),
  /** host:port the gRPC server listens on. */
  GRPC_LISTEN: z.string().default('127.0.0.1:0'),
  /** Address of the auth service (its JWKS signs the internal tokens every service verifies). */
  AUTH_GRPC_ADDRESS: z.string().default('127.0.0.1:50051'),
  /** Issuer of access and internal tokens. */
  TOKEN_ISSUER: z.string().default('https://auth.fintech.local'),
};

/**
 * A service's environment schema: the kit's variables ({@link serviceEnvShape}), its own schema name and gRPC
 * address defaults, and the service's own variables on top (which may override the kit's defaults).
 */
export function serviceEnv<S extends z.ZodRawShape>(defaults: { schema: string; grpcListen?: string }, shape: S) {
  return z.object({
    ...serviceEnvShape,
    /** Postgres schema the service owns. */
    DATABASE_SCHEMA: z.string().default(defaults.schema),
    GRPC_LISTEN: z.string().default(defaults.grpcListen ?? '127.0.0.1:0'),
    ...shape,
  });
}
