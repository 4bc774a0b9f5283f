import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { nanos } from '@nats-io/transport-node';
import type { Pool } from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPool, dropSchema, migrateServiceSchema } from '../src/index';
import type { EventEnvelope, EventHandler } from '../src/index';
import {
  InvalidEventSubjectError,
  connectNats,
  createConsumer,
  createEvent,
  ensureStream,
  eventIdTime,
  isEventSubject,
  jetstream,
  jetstreamManager,
  newEventId,
  parseEventEnvelope,
  processEventOnce,
} from '../src/index';

describe('event ids', () => {
  it('are UUIDv7 carrying the creation time', () => {
    const before = Date.now();
    const id = newEventId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventIdTime(id).getTime()).toBeGreaterThanOrEqual(before);
    expect(eventIdTime(id).getTime()).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('increase strictly in creation order, also within one millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => newEventId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('event subjects and envelopes', () => {
  it('accept fintech.<domain>.<entity>.<past-tense-verb>', () => {
    for (const subject of [
      'fintech.auth.user.signed_in',
      'fintech.payments.payment.initiated',
      'fintech.billing.invoice.paid',
      'fintech.auth.api_key.revoked',
      'fintech.banking.account.linked',
    ]) {
      expect(isEventSubject(subject), subject).toBe(true);
    }
  });

  it('refuse other subjects', () => {
    for (const subject of [
      'fintech.auth.user',
      'fintech.auth.user.sign_in',
      'fintech.Auth.user.created',
      'fintech.auth.user.created.extra',
      'other.auth.user.created',
      'fintech.auth.*.created',
      'fintech.auth.user-profile.created',
    ]) {
      expect(isEventSubject(subject), subject).toBe(false);
    }
    expect(() => createEvent({ type: 'fintech.auth.user.create', userId: null, data: {} })).toThrow(
      InvalidEventSubjectError,
    );
  });

  it('round-trip through JSON with a UTC timestamp', () => {
    const event = createEvent({
      type: 'fintech.auth.user.signed_in',
      userId: 'u1',
      data: { method: 'password' },
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(event.occurred_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(parseEventEnvelope(JSON.stringify(event))).toEqual(event);
    expect(() => parseEventEnvelope(JSON.stringify({ ...event, type: 'nope' }))).toThrow();
  });
});

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const natsUrl = process.env.NATS_URL ?? '127.0.0.1:4222';
const suffix = randomBytes(4).toString('hex');
const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const schema = `kit_events_${suffix}`;
const domain = `e${suffix}`;
const stream = `FINTECH_${domain.toUpperCase()}`;

let root: string;
let nc: NatsConnection;
let pool: Pool;
let tests = 0;
const stops: (() => Promise<void>)[] = [];

async function waitFor(probe: () => Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A subject, durable and consumer name of the test's own, so tests sharing the stream do not see each other. */
function names(): { subject: string; durable: string; consumerName: string } {
  tests += 1;
  return {
    subject: `fintech.${domain}.entity${tests}.created`,
    durable: `durable_${tests}`,
    consumerName: `consumer-${tests}`,
  };
}

async function publish(event: EventEnvelope, msgID: string): Promise<void> {
  await jetstream(nc).publish(event.type, JSON.stringify(event), { msgID });
}

/** The effect under test: one ledger row per application of an event. */
const recordInLedger: EventHandler = async (event, client) => {
  await client.query('INSERT INTO ledger (event_id, amount) VALUES ($1, $2)', [event.id, event.data.amount]);
};

async function ledgerRows(eventId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger WHERE event_id = $1', [
    eventId,
  ]);
  return rows[0]?.n ?? -1;
}

/** True once the durable has nothing pending and nothing awaiting an ack. */
async function settled(durable: string): Promise<boolean> {
  const info = await (await jetstreamManager(nc)).consumers.info(stream, durable);
  return info.num_pending === 0 && info.num_ack_pending === 0;
}

function startConsumer(options: Omit<Parameters<typeof createConsumer>[0], 'nats' | 'stream' | 'pool' | 'logger'>) {
  const consumer = createConsumer({ nats: nc, stream, pool, logger, ...options });
  stops.push(() => consumer.stop());
  return consumer;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kit-events-'));
  await mkdir(join(root, '20260101000000_init'));
  await writeFile(
    join(root, '20260101000000_init', 'migration.sql'),
    `CREATE TABLE "ledger" ("event_id" UUID NOT NULL, "amount" INTEGER NOT NULL);\n`,
  );
  await migrateServiceSchema({ connectionString, schema, migrationsDir: root });
  pool = createPool({ connectionString, schema, max: 4 });
  nc = await connectNats({ servers: natsUrl, name: 'kit-events-test' });
  await ensureStream(nc, { name: stream, subjects: [`fintech.${domain}.>`] });
});

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

afterAll(async () => {
  await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
  await nc.close();
  await pool.end();
  await dropSchema(connectionString, schema);
  await rm(root, { recursive: true, force: true });
});

describe('createConsumer', () => {
  it('applies an event delivered twice only once', async () => {
    const { subject, durable, consumerName } = names();
    let calls = 0;
    await startConsumer({
      durable,
      consumerName,
      filterSubjects: [subject],
      handle: async (event, client) => {
        calls += 1;
        await recordInLedger(event, client);
      },
    }).start();
    const event = createEvent({ type: subject, userId: 'u1', data: { amount: 100 } });
    // Different Nats-Msg-Ids get past the stream's dedupe: the consumer sees the same event id twice.
    await publish(event, `${event.id}-a`);
    await publish(event, `${event.id}-b`);

    await waitFor(() => settled(durable), 10_000, 'both deliveries to be acked');
    expect(await ledgerRows(event.id)).toBe(1);
    expect(calls).toBe(1);
    const { rows } = await pool.query('SELECT consumer FROM processed_events WHERE event_id = $1', [event.id]);
    expect(rows).toEqual([{ consumer: consumerName }]);
  });

  it('retries a failing handler and keeps only the effect of the attempt that committed', async () => {
    const { subject, durable, consumerName } = names();
    let calls = 0;
    await startConsumer({
      durable,
      consumerName,
      filterSubjects: [subject],
      retryDelayMs: 50,
      handle: async (event, client) => {
        calls += 1;
        await recordInLedger(event, client);
        // The first attempt fails after writing its effect, which must be rolled back with it.
        if (calls === 1) throw new Error('downstream unavailable');
      },
    }).start();
    const event = createEvent({ type: subject, userId: 'u1', data: { amount: 7 } });
    await publish(event, event.id);

    await waitFor(async () => calls >= 2 && (await settled(durable)), 10_000, 'the retry to be acked');
    expect(calls).toBe(2);
    expect(await ledgerRows(event.id)).toBe(1);
  });

  it('acks without repeating the effect when the previous delivery committed but never acked', async () => {
    const { subject, durable, consumerName } = names();
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(1000),
      filter_subject: subject,
    });
    const event = createEvent({ type: subject, userId: 'u1', data: { amount: 3 } });
    await publish(event, event.id);

    // A replica takes the message, commits its effect, and dies before acking.
    const batch = await jetstream(nc)
      .consumers.get(stream, durable)
      .then((c) => c.fetch({ max_messages: 1, expires: 5000 }));
    for await (const msg of batch) {
      expect(
        await processEventOnce({ pool, consumerName, event: parseEventEnvelope(msg.data), handle: recordInLedger }),
      ).toBe('processed');
    }
    expect(await ledgerRows(event.id)).toBe(1);

    let calls = 0;
    await startConsumer({
      durable,
      consumerName,
      filterSubjects: [subject],
      ackWaitMs: 1000,
      handle: async (e, client) => {
        calls += 1;
        await recordInLedger(e, client);
      },
    }).start();
    await waitFor(
      async () => {
        const info = await jsm.consumers.info(stream, durable);
        // A second delivery (consumer sequence 2) of the only message, acknowledged.
        return info.ack_floor.consumer_seq >= 2 && info.num_ack_pending === 0 && info.num_pending === 0;
      },
      15_000,
      'the redelivery to be acked',
    );
    expect(calls).toBe(0);
    expect(await ledgerRows(event.id)).toBe(1);
  });

  it('terminates a malformed message and goes on with the next', async () => {
    const { subject, durable, consumerName } = names();
    const seen: string[] = [];
    await startConsumer({
      durable,
      consumerName,
      filterSubjects: [subject],
      handle: async (event, client) => {
        seen.push(event.id);
        await recordInLedger(event, client);
      },
    }).start();
    await jetstream(nc).publish(subject, '{"not":"an envelope"}');
    const event = createEvent({ type: subject, userId: null, data: { amount: 1 } });
    await publish(event, event.id);

    await waitFor(() => settled(durable), 10_000, 'both messages to be settled');
    expect(seen).toEqual([event.id]);
    expect(await ledgerRows(event.id)).toBe(1);
  });
});
