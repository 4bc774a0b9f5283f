import { defineConfig } from 'prisma/config';

// The datasource URL is only needed by commands that connect; generation works offline without one.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // The kit's agent-safety tables (packages/kit/src/safety/migrations): created by the kit, read and written only
  // through its stores, so Prisma neither models them nor generates migrations for them (docs/decisions/017).
  experimental: { externalTables: true },
  tables: { external: ['idempotency_records', 'confirmations'] },
});
