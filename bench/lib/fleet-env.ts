import { randomBytes } from 'node:crypto';

/** The machine's Postgres and NATS (the same defaults as the tests), overridable like the tests'. */
export const DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const NATS_URL = process.env.BENCH_NATS_URL ?? process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A schema of this run's own, so a bench never touches another run's or a test's data. */
export function benchSchema(prefix: string): string {
  return `bench_${prefix}_${randomBytes(4).toString('hex')}`;
}

export function fieldKeys(): string {
  return `v1:${randomBytes(32).toString('base64')}`;
}

/** Environment of the auth service process (the auth child and the single-process baseline share the schema). */
export function authEnv(schema: string, keys: string): Record<string, string> {
  return {
    DATABASE_URL,
    DATABASE_SCHEMA: schema,
    NATS_URL,
    FIELD_ENCRYPTION_KEYS: keys,
    GRPC_LISTEN: '127.0.0.1:0',
    LOG_LEVEL: 'warn',
  };
}
