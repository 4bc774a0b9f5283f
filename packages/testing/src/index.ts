import { randomBytes } from 'node:crypto';
import { DeliverPolicy } from '@nats-io/jetstream';
import { dropSchema, jetstream, parseEventEnvelope, type EventEnvelope, type NatsConnection } from '@fintech/kit';

/** The Postgres the tests use: TEST_DATABASE_URL, else the machine's own server. */
export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** The NATS the tests use: TEST_NATS_URL, else the machine's own server. */
export function testNatsUrl(): string {
  return process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
}

/** A schema name no other test file uses, so test files run in parallel on one database. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_t${randomBytes(5).toString('hex')}`;
}

/** A fresh field-encryption key ring in FIELD_ENCRYPTION_KEYS form. */
export function testFieldKeys(): string {
  return `v1:${randomBytes(32).toString('base64')}`;
}

/** Drops a test schema (best effort, for afterAll). */
export async function dropTestSchema(schema: string): Promise<void> {
  await dropSchema(testDatabaseUrl(), schema).catch(() => undefined);
}

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 10_000, intervalMs = 50, message = 'condition not met in time' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${message}${lastError ? `: ${String(lastError)}` : ''}`);
}

/**
 * Reads the events of a stream on `subject` published since `since` (an ordered, ephemeral consumer), until
 * `done(events)` holds or the timeout passes. For asserting what a service published.
 */
export async function readEvents(
  nats: NatsConnection,
  options: {
    stream: string;
    subject: string;
    since: Date;
    done: (events: EventEnvelope[]) => boolean;
    timeoutMs?: number;
  },
): Promise<EventEnvelope[]> {
  const js = jetstream(nats);
  const consumer = await js.consumers.get(options.stream, {
    // A single subject (not an array): Debian's nats-server 2.9 has no multi-filter consumers.
    filter_subjects: options.subject,
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: options.since.toISOString(),
  });
  const events: EventEnvelope[] = [];
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (!options.done(events) && Date.now() < deadline) {
    const message = await consumer.next({ expires: 1_000 });
    if (message) events.push(parseEventEnvelope(message.data));
  }
  return events;
}

export { startTestFleet, loadFleetService, type TestFleet, type TestFleetOptions, type FleetService } from './fleet';
