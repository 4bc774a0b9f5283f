import type { Pool, PoolClient } from 'pg';
import type { EventEnvelope } from './envelope';
import { qualifiedTable } from './qualified-table';

/** Applies an event's effect with the transaction's client; throwing rolls the effect back. */
export type EventHandler = (event: EventEnvelope, client: PoolClient) => Promise<void>;

/** Options of {@link processEventOnce}. */
export interface ProcessEventOnceOptions {
  /** A pool whose connections resolve `processed_events` in the service's schema (see `createPool`). */
  pool: Pool;
  /** The consumer's stable name, the first half of the `processed_events` key. */
  consumerName: string;
  /** Schema of the processed_events table; qualifies the SQL so it never depends on the session's search_path. */
  schema?: string;
  event: EventEnvelope;
  handle: EventHandler;
}

/**
 * Applies `handle` to `event` at most once per `consumerName`: in one transaction it inserts
 * `(consumerName, event.id)` into `processed_events` and runs `handle` with the same client, then commits.
 * If the row already exists the effect has already been committed, so nothing runs.
 *
 * Two deliveries of one event racing on two replicas serialise on the primary key: the second waits for the first
 * transaction and then sees the row.
 *
 * @returns `'processed'` when the effect was applied now, `'duplicate'` when it had been applied before
 * @throws the handler's error (after rolling back), or when the transaction did not commit
 */
export async function processEventOnce(options: ProcessEventOnceOptions): Promise<'processed' | 'duplicate'> {
  const client = await options.pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const claimed = await client.query(
      `INSERT INTO ${qualifiedTable(options.schema, 'processed_events')} ("consumer", "event_id") VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING`,
      [options.consumerName, options.event.id],
    );
    if (claimed.rowCount === 0) {
      await client.query('ROLLBACK');
      return 'duplicate';
    }
    await options.handle(options.event, client);
    const committed = await client.query('COMMIT');
    // COMMIT of a transaction in which a statement failed (and the handler swallowed the error) rolls back without
    // raising; acknowledging then would lose the event.
    if (committed.command !== 'COMMIT') throw new Error(`Transaction for event ${options.event.id} was rolled back`);
    return 'processed';
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: Error) => {
      broken = rollbackErr;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
