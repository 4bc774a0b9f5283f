import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { assertSchemaName, quoteIdentifier } from '../db/schema-name';

/**
 * The kit's agent-safety tables as a migration set: a folder in Prisma's layout (`<timestamp>_<name>/migration.sql`),
 * applied in each service's schema by whatever runs the kit's own migrations.
 */
export const SAFETY_MIGRATIONS: { name: string; dir: string } = {
  name: 'safety',
  dir: fileURLToPath(new URL('./migrations', import.meta.url)),
};

/** One migration of the kit's safety tables. */
export interface SafetyMigration {
  name: string;
  sql: string;
}

/**
 * The DDL of the tables behind {@link createIdempotencyStore} and {@link createConfirmationStore}, in order. Each
 * file is idempotent (IF NOT EXISTS): payments created the same tables in its first migration before the kit owned
 * them (docs/decisions/017-agent-safety-in-the-kit.md).
 */
export function safetyMigrations(): SafetyMigration[] {
  return readdirSync(SAFETY_MIGRATIONS.dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(SAFETY_MIGRATIONS.dir, name, 'migration.sql'), 'utf8') }));
}

/** Second key of the advisory lock taken while the safety tables are created (the first is the schema's hash). */
const SAFETY_LOCK_KEY = 17;

/**
 * Applies {@link safetyMigrations} to `schema` in one transaction, under an advisory lock so replicas starting
 * together do not race on CREATE TABLE. Until the service runtime applies the kit's own migrations, a service that
 * uses the safety stores calls this after its own migrations.
 */
export async function applySafetyMigrations(options: { connectionString: string; schema: string }): Promise<void> {
  const schema = assertSchemaName(options.schema);
  const client = new pg.Client({ connectionString: options.connectionString });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1), $2)', [schema, SAFETY_LOCK_KEY]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query(`SET LOCAL search_path TO ${quoteIdentifier(schema)}`);
    for (const migration of safetyMigrations()) await client.query(migration.sql);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
