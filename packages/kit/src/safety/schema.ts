import { fileURLToPath } from 'node:url';
import type { MigrationSet } from '../db/kit-migrations';

/**
 * The kit's agent-safety tables (idempotency records, confirmations) as a migration set in Prisma's folder layout
 * (`<timestamp>_<name>/migration.sql`). It is one of `KIT_MIGRATION_SETS`, so every service declared with
 * `defineService` has these tables in its schema.
 */
export const SAFETY_MIGRATIONS: MigrationSet = {
  name: 'safety',
  dir: fileURLToPath(new URL('./migrations', import.meta.url)),
};
