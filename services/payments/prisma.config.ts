import { defineConfig } from 'prisma/config';

// The datasource URL is only needed by commands that connect; generation works offline without one.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
