import type { ClientBase } from 'pg';

/**
 * The one thing the outbox needs from a database handle: run a statement with positional parameters (`$1`, `$2`…)
 * on the caller's connection, inside the caller's transaction.
 */
export interface SqlExecutor {
  /** Runs `sql` with `params`; resolves to the number of affected rows. */
  execute(sql: string, params: readonly unknown[]): Promise<number>;
}

/** The part of a Prisma interactive-transaction client (`tx` in `prisma.$transaction(async (tx) => …)`) used here. */
export interface PrismaRawExecutor {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/** The part of a `pg` client (a `PoolClient` holding a transaction) used here. */
export type PgQueryable = Pick<ClientBase, 'query'>;

/** Adapts a Prisma interactive-transaction client. */
export function fromPrisma(tx: PrismaRawExecutor): SqlExecutor {
  return { execute: (sql, params) => tx.$executeRawUnsafe(sql, ...params) };
}

/** Adapts a `pg` client (use the `PoolClient` on which the transaction was begun, not the pool). */
export function fromPg(client: PgQueryable): SqlExecutor {
  return {
    execute: async (sql, params) => {
      const result = await client.query(sql, params as unknown[]);
      return result.rowCount ?? 0;
    },
  };
}

/** Anything {@link toSqlExecutor} accepts. */
export type SqlExecutorLike = SqlExecutor | PrismaRawExecutor | PgQueryable;

/** Accepts a {@link SqlExecutor}, a Prisma transaction client or a `pg` client, told apart by shape. */
export function toSqlExecutor(executor: SqlExecutorLike): SqlExecutor {
  if ('execute' in executor && typeof executor.execute === 'function') return executor;
  if ('$executeRawUnsafe' in executor && typeof executor.$executeRawUnsafe === 'function') return fromPrisma(executor);
  if ('query' in executor && typeof executor.query === 'function') return fromPg(executor);
  throw new TypeError('Expected a SqlExecutor, a Prisma transaction client or a pg client');
}
