import { PrismaPg } from '@prisma/adapter-pg';
import { assertSchemaName, searchPathOption } from './schema-name';

/** Options of {@link createPrismaAdapter}. */
export interface CreatePrismaAdapterOptions {
  /** A `postgres://` URL. */
  connectionString: string;
  /** The service's own schema. */
  schema: string;
  /** Maximum number of connections of the adapter's pool. */
  max?: number;
}

/**
 * Creates the Prisma 7 driver adapter for a service's schema:
 * `new PrismaClient({ adapter: createPrismaAdapter({ connectionString, schema: 'auth' }) })`.
 *
 * The adapter's `schema` option qualifies the queries Prisma generates from models; the `search_path` connection
 * option covers raw SQL (`$queryRaw`, `$executeRawUnsafe`, `enqueueEvents`) so that unqualified names such
 * as `outbox` resolve to the same schema.
 */
export function createPrismaAdapter(options: CreatePrismaAdapterOptions): PrismaPg {
  const schema = assertSchemaName(options.schema);
  return new PrismaPg(
    {
      connectionString: options.connectionString,
      options: searchPathOption(schema),
      ...(options.max !== undefined ? { max: options.max } : {}),
    },
    { schema },
  );
}
