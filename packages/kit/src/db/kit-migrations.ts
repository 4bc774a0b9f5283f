import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { SAFETY_MIGRATIONS } from '../safety/schema';
import { runMigrations } from './run-migrations';

/** A folder of migrations the kit owns (`<dir>/<timestamp>_<name>/migration.sql`), applied in every service's schema. */
export interface MigrationSet {
  /** Stable name; its migrations are recorded as `<name>/<folder>` in the schema's `_kit_migrations`. */
  name: string;
  dir: string;
  /** `folders` (Prisma's `<name>/migration.sql`, the default) or `files` (`<name>.sql`). */
  layout?: 'folders' | 'files';
}

/** The outbox and processed-events tables behind `enqueueEvents`, the outbox relay and `createConsumer`. */
export const OUTBOX_MIGRATIONS: MigrationSet = {
  name: 'outbox',
  dir: fileURLToPath(new URL('../../migrations/outbox', import.meta.url)),
};

/**
 * The kit's own tables, applied in this order to every service's schema before the service's own migrations: the
 * outbox, then the agent-safety records (idempotency, confirmations; docs/decisions/017). A kit module with tables of
 * its own adds its set here, and every service gets it.
 */
export const KIT_MIGRATION_SETS: readonly MigrationSet[] = [OUTBOX_MIGRATIONS, SAFETY_MIGRATIONS];

/** The table in which the kit records its own migrations, beside Prisma's `_prisma_migrations`. */
export const KIT_MIGRATIONS_TABLE = '_kit_migrations';

/** Options of {@link migrateServiceSchema}. */
export interface MigrateServiceSchemaOptions {
  connectionString: string;
  schema: string;
  /** The service's Prisma migrations folder; none for a service without tables of its own. */
  migrationsDir?: string;
  /** The kit's sets to apply first (default {@link KIT_MIGRATION_SETS}). */
  kitMigrations?: readonly MigrationSet[];
  logger?: Logger;
}

/**
 * Brings a service's schema up to date: the kit's migration sets first (recorded in `_kit_migrations`), then the
 * service's own (recorded in `_prisma_migrations`, where `prisma migrate` expects them), each under the runner's
 * advisory lock. A service's migrations may therefore reference the kit's tables, never the other way round.
 *
 * @returns the names of the migrations applied now
 */
export async function migrateServiceSchema(options: MigrateServiceSchemaOptions): Promise<string[]> {
  const applied: string[] = [];
  for (const set of options.kitMigrations ?? KIT_MIGRATION_SETS) {
    applied.push(
      ...(await runMigrations({
        connectionString: options.connectionString,
        schema: options.schema,
        migrationsDir: set.dir,
        historyTable: KIT_MIGRATIONS_TABLE,
        namePrefix: `${set.name}/`,
        layout: set.layout,
        logger: options.logger,
      })),
    );
  }
  if (options.migrationsDir !== undefined) {
    applied.push(
      ...(await runMigrations({
        connectionString: options.connectionString,
        schema: options.schema,
        migrationsDir: options.migrationsDir,
        logger: options.logger,
      })),
    );
  }
  return applied;
}
