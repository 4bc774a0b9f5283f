export { createPool } from './create-pool';
export type { CreatePoolOptions } from './create-pool';
export { createPrismaAdapter } from './create-prisma-adapter';
export type { CreatePrismaAdapterOptions } from './create-prisma-adapter';
export {
  runMigrations,
  migrationChecksum,
  MigrationChecksumError,
  MigrationFailedError,
  MigrationIncompleteError,
} from './run-migrations';
export type { RunMigrationsOptions } from './run-migrations';
export { dropSchema } from './drop-schema';
export { SCHEMA_NAME_PATTERN, assertSchemaName, quoteIdentifier, searchPathOption } from './schema-name';
export { migrateServiceSchema, KIT_MIGRATION_SETS, KIT_MIGRATIONS_TABLE, OUTBOX_MIGRATIONS } from './kit-migrations';
export type { MigrationSet, MigrateServiceSchemaOptions } from './kit-migrations';
