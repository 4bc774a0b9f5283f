import { UUID_V7_PATTERN } from './event-id';
import type { CreateEventInput, EventEnvelope } from './envelope';
import { assertEventSubject, createEvent } from './envelope';
import type { SqlExecutorLike } from './sql-executor';
import { toSqlExecutor } from './sql-executor';
import { qualifiedTable } from './qualified-table';

/**
 * Writes `events` into the `outbox` table through the caller's transaction, so they are stored if and only if the
 * state change they describe commits; {@link createOutboxRelay} then publishes them.
 *
 * `executor` is the transaction's handle: a Prisma interactive-transaction client, a `pg` `PoolClient` after
 * `BEGIN`, or a {@link SqlExecutor}. With `options.schema` the table is schema-qualified; without it the connection's
 * `search_path` (set by `createPool`/`createPrismaAdapter`) selects the service's schema. Qualify where a connection
 * may not carry the service's `search_path` (a pooler in transaction mode, a connection shared across schemas).
 *
 * Call the relay's `wake()` after the commit for the lowest latency.
 *
 * @throws InvalidEventSubjectError for an event whose type is not an event subject
 */
export async function enqueueEvents(
  executor: SqlExecutorLike,
  events: readonly EventEnvelope[],
  options: { schema?: string } = {},
): Promise<void> {
  if (events.length === 0) return;
  const values: string[] = [];
  const params: unknown[] = [];
  for (const event of events) {
    assertEventSubject(event.type);
    // The relay's dedupe and the consumers' processed_events key on this id; only ids from newEventId are accepted.
    if (!UUID_V7_PATTERN.test(event.id)) throw new Error(`Event id is not a UUIDv7: ${JSON.stringify(event.id)}`);
    const n = params.length;
    values.push(`($${n + 1}::uuid, $${n + 2}, $${n + 3}::jsonb)`);
    params.push(event.id, event.type, JSON.stringify(event));
  }
  await toSqlExecutor(executor).execute(
    `INSERT INTO ${qualifiedTable(options.schema, 'outbox')} ("id", "subject", "envelope") VALUES ${values.join(', ')}`,
    params,
  );
}

/**
 * Creates events (UUIDv7 ids, occurred_at now) and writes them into the outbox in the caller's transaction: the
 * usual way a handler records what it changed.
 */
export async function recordEvents(
  executor: SqlExecutorLike,
  inputs: readonly CreateEventInput[],
  options: { schema?: string } = {},
): Promise<EventEnvelope[]> {
  const events = inputs.map((input) => createEvent(input));
  await enqueueEvents(executor, events, options);
  return events;
}
