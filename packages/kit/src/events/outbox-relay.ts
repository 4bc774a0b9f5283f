import type { NatsConnection } from '@nats-io/transport-node';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { qualifiedTable } from './qualified-table';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { jetstream } from './nats';

/** One outbox row the relay got acknowledged by JetStream. */
export interface PublishedEvent {
  /** The event id (`Nats-Msg-Id`). */
  id: string;
  subject: string;
  /** The stream sequence of the stored message. */
  seq: number;
  /** True when the stream already held this id: an earlier publish succeeded but its row was not marked. */
  duplicate: boolean;
}

/** Options of {@link createOutboxRelay}. */
export interface OutboxRelayOptions {
  /** A pool whose connections resolve `outbox` in the service's schema (see `createPool`). */
  pool: Pool;
  nats: NatsConnection;
  logger: Logger;
  /** Schema of the outbox table; qualifies the SQL so it never depends on the session's search_path. */
  schema?: string;
  /** Rows claimed per pass (default 256). A full batch starts the next pass at once. */
  batchSize?: number;
  /** Pause between passes when there is nothing to do (default 200 ms); `wake()` cuts it short. */
  pollIntervalMs?: number;
  /** How long to wait for each JetStream acknowledgement (default 5000 ms). */
  publishTimeoutMs?: number;
  /** First retry delay of a row whose publish failed, doubled per attempt (default 500 ms). */
  retryDelayMs?: number;
  /** Upper bound of a row's retry delay (default 30 s). */
  maxRetryDelayMs?: number;
  /** Called after each pass with the rows it marked published (for metrics; must not throw). */
  onPublished?: (events: PublishedEvent[]) => void;
}

/** A running outbox relay. */
export interface OutboxRelay {
  /** Starts relaying in the background. */
  start(): void;
  /** Stops after the pass in flight has published and marked its rows. */
  stop(): Promise<void>;
  /** Starts a pass now (call after committing events) instead of at the next poll. */
  wake(): void;
}

interface OutboxRow {
  id: string;
  subject: string;
  envelope: string;
  traceparent: string | null;
}

/**
 * Publishes the rows of the `outbox` table to JetStream.
 *
 * Each pass, in one transaction: claims up to `batchSize` unpublished rows in `created_at` order with
 * `FOR UPDATE SKIP LOCKED` (so replicas relay disjoint rows in parallel), publishes them all concurrently with the
 * event id as `Nats-Msg-Id`, then marks the acknowledged ones `published_at = now()` in one UPDATE and records
 * `attempts`/`last_error` for the others. A crash between publish and mark republishes the row later with the same
 * id, which the stream's duplicate window drops; a row is never deleted or skipped, so an event is never lost.
 *
 * `attempts` counts publish attempts, successful or not. A failed row is retried after an exponential delay kept in
 * memory; every failed row is retried at once when the NATS connection comes back. When NATS is down, a pass waits
 * for the publish timeout and the relay then backs off; it keeps running until `stop()`.
 *
 * Order across replicas is creation order per pass, not a global guarantee: consumers must not rely on it.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { pool, nats, logger } = options;
  const batchSize = options.batchSize ?? 256;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  const js = jetstream(nats);
  const encoder = new TextEncoder();
  // Rows whose last publish failed, with the time before which this replica leaves them alone.
  const retryAt = new Map<string, number>();

  let running = false;
  let loop: Promise<void> | null = null;
  let wakeRequested = false;
  let interruptIdle: (() => void) | null = null;
  let statusIterator: { stop?: () => void } | null = null;
  // Consecutive passes that failed entirely or in part; drives the relay-wide backoff.
  let failures = 0;

  function idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        interruptIdle = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      interruptIdle = done;
    });
  }

  function wake(): void {
    wakeRequested = true;
    interruptIdle?.();
  }

  const outbox = qualifiedTable(options.schema, 'outbox');

  async function pass(): Promise<{ more: boolean; failed: boolean }> {
    const now = Date.now();
    for (const [id, at] of retryAt) if (at <= now) retryAt.delete(id);
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<OutboxRow>(
        `SELECT "id"::text AS id, "subject", "envelope"::text AS envelope, "envelope"->>'traceparent' AS traceparent
         FROM ${outbox}
         WHERE "published_at" IS NULL AND NOT ("id" = ANY($2::uuid[]))
         ORDER BY "created_at"
         LIMIT $1
         FOR UPDATE SKIP LOCKED`,
        [batchSize, [...retryAt.keys()]],
      );
      if (rows.length === 0) {
        await client.query('COMMIT');
        return { more: false, failed: false };
      }
      const results = await Promise.allSettled(
        rows.map((row) => {
          const opts: Parameters<typeof js.publish>[2] = { msgID: row.id, timeout: publishTimeoutMs };
          if (row.traceparent !== null) {
            // W3C Trace Context: consumers continue the producer's trace from this header.
            const h = natsHeaders();
            h.set('traceparent', row.traceparent);
            opts.headers = h;
          }
          return js.publish(row.subject, encoder.encode(row.envelope), opts);
        }),
      );
      const published: PublishedEvent[] = [];
      const failedIds: string[] = [];
      const errors: string[] = [];
      results.forEach((result, i) => {
        const row = rows[i] as OutboxRow;
        if (result.status === 'fulfilled') {
          published.push({
            id: row.id,
            subject: row.subject,
            seq: result.value.seq,
            duplicate: result.value.duplicate,
          });
        } else {
          failedIds.push(row.id);
          errors.push(result.reason instanceof Error ? result.reason.message : String(result.reason));
        }
      });
      if (published.length > 0) {
        await client.query(
          `UPDATE ${outbox} SET "published_at" = now(), "attempts" = "attempts" + 1, "last_error" = NULL
           WHERE "id" = ANY($1::uuid[])`,
          [published.map((p) => p.id)],
        );
      }
      if (failedIds.length > 0) {
        const { rows: failedRows } = await client.query<{ id: string; attempts: number }>(
          `UPDATE ${outbox} AS o SET "attempts" = o."attempts" + 1, "last_error" = f.error
           FROM unnest($1::uuid[], $2::text[]) AS f(id, error)
           WHERE o."id" = f.id
           RETURNING o."id"::text AS id, o."attempts"`,
          [failedIds, errors],
        );
        const at = Date.now();
        for (const row of failedRows) {
          retryAt.set(row.id, at + Math.min(retryDelayMs * 2 ** Math.min(row.attempts - 1, 30), maxRetryDelayMs));
        }
        logger.warn(
          { failed: failedIds.length, published: published.length, err: errors[0] },
          'outbox publish failed; will retry',
        );
      }
      await client.query('COMMIT');
      if (published.length > 0) options.onPublished?.(published);
      return { more: rows.length === batchSize && failedIds.length === 0, failed: failedIds.length > 0 };
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => {
        broken = rollbackErr;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async function run(): Promise<void> {
    while (running) {
      wakeRequested = false;
      let more = false;
      try {
        const outcome = await pass();
        more = outcome.more;
        failures = outcome.failed ? failures + 1 : 0;
      } catch (err) {
        failures += 1;
        logger.error({ err }, 'outbox relay pass failed; will retry');
      }
      if (!running) break;
      if (more || wakeRequested) continue;
      // After failed passes (database or NATS down), back off so a dead dependency is not hammered.
      const pause =
        failures === 0 ? pollIntervalMs : Math.min(pollIntervalMs * 2 ** Math.min(failures, 10), maxRetryDelayMs);
      await idle(pause);
    }
  }

  async function watchConnection(): Promise<void> {
    const status = nats.status();
    statusIterator = status as { stop?: () => void };
    for await (const s of status) {
      if (!running) break;
      if (s.type === 'reconnect') {
        // Rows failed because NATS was away, not because of themselves: retry them all now.
        retryAt.clear();
        failures = 0;
        wake();
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
      watchConnection().catch((err: unknown) =>
        logger.warn({ err }, 'outbox relay stopped watching the NATS connection'),
      );
    },
    async stop() {
      running = false;
      interruptIdle?.();
      statusIterator?.stop?.();
      statusIterator = null;
      await loop;
      loop = null;
    },
    wake,
  };
}
