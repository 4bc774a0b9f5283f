import { defineConfig } from 'prisma/config';

// The datasource URL is only needed by commands that connect; generation works offline without one.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // The kit creates these in the service's schema and owns their DDL (docs/decisions/017 and 019): not modelled
  // here, read and written only through the kit, and never dropped by a `prisma migrate diff`.
  experimental: { externalTables: true },
  tables: { external: ['outbox', 'processed_events', '_kit_migrations', 'idempotency_records', 'confirmations'] },
});
