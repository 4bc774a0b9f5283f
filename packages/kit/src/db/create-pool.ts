import pg from 'pg';
import type { Logger } from 'pino';
import { searchPathOption } from './schema-name';

/** Options of {@link createPool}. */
export interface CreatePoolOptions {
  /** A `postgres://` URL. */
  connectionString: string;
  /** The service's own schema; when set, every connection resolves unqualified table names in it. */
  schema?: string;
  /** Maximum number of connections (pg's default is 10). */
  max?: number;
  /** Receives errors of idle connections (a restarted server, a network cut); they are logged, not thrown. */
  logger?: Logger;
}

/**
 * Creates a `pg` pool for a service. With `schema`, each connection starts with `search_path` set to that schema
 * through the startup `options` parameter, so it holds before the first query and cannot be forgotten on one path.
 *
 * The pool listens to `error`: without a listener, an idle connection dropped by the server would crash the
 * process (Node's EventEmitter throws unhandled `error` events).
 */
export function createPool(options: CreatePoolOptions): pg.Pool {
  const config: pg.PoolConfig = { connectionString: options.connectionString };
  if (options.schema !== undefined) config.options = searchPathOption(options.schema);
  if (options.max !== undefined) config.max = options.max;
  const pool = new pg.Pool(config);
  pool.on('error', (err) => {
    options.logger?.warn({ err }, 'idle postgres connection failed');
  });
  return pool;
}
