import { randomUUID } from 'node:crypto';
import { streams, subjects } from '@fintech/contracts';
import {
  migrateServiceSchema,
  connectNats,
  createEvent,
  createLogger,
  createOutboxRelay,
  createPool,
  enqueueEvents,
  ensureStream,
  fromPg,
} from '@fintech/kit';
import { serveParent } from '../lib/child';

/**
 * The event path without the payments service in front: a payments-shaped table written at a fixed rate, each row
 * committed with its payment.created and payment.succeeded events in the outbox of the same transaction, and the
 * kit's outbox relay publishing them (woken on every commit, as services do). Isolates what the events pipeline
 * itself sustains.
 */
const schema = process.env.WRITER_SCHEMA!;
const databaseUrl = process.env.DATABASE_URL!;
const pool = createPool({ connectionString: databaseUrl, schema, max: 8 });
// The kit's own tables (outbox, processed_events), as every service gets them.
await migrateServiceSchema({ connectionString: databaseUrl, schema });
const setup = await pool.connect();
await setup.query(`SET search_path TO "${schema}"`);
await setup.query(
  `CREATE TABLE "payments" ("id" UUID PRIMARY KEY, "user_id" UUID NOT NULL, "amount_minor" BIGINT NOT NULL, "currency" TEXT NOT NULL, "status" TEXT NOT NULL, "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now())`,
);
setup.release();
const logger = createLogger({ name: 'bench-outbox-writer', level: 'warn' });
const nats = await connectNats({ servers: process.env.NATS_URL!, name: 'bench-outbox-writer' });
await ensureStream(nats, { name: streams.payments.name, subjects: [...streams.payments.subjects] });
const relay = createOutboxRelay({ pool, nats, logger, schema });
relay.start();

async function writePayment(userId: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const id = randomUUID();
    await client.query(
      `INSERT INTO "${schema}"."payments" ("id", "user_id", "amount_minor", "currency", "status") VALUES ($1, $2, 100, 'USD', 'succeeded')`,
      [id, userId],
    );
    const data = { payment_id: id, amount_minor: '100', currency: 'USD' };
    await enqueueEvents(
      fromPg(client),
      [
        createEvent({ type: subjects.payments.paymentCreated, userId, data }),
        createEvent({ type: subjects.payments.paymentSucceeded, userId, data }),
      ],
      { schema },
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  relay.wake();
}

serveParent(
  {},
  {
    async run({ rate, durationMs, maxInFlight }: { rate: number; durationMs: number; maxInFlight: number }) {
      const users = Array.from({ length: 50 }, () => randomUUID());
      let scheduled = 0;
      let succeeded = 0;
      let failed = 0;
      let skipped = 0;
      let inFlight = 0;
      let firstError: string | undefined;
      const pending = new Set<Promise<void>>();
      const started = performance.now();
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          const elapsed = performance.now() - started;
          const due = Math.min(Math.floor((elapsed / 1000) * rate), Math.floor((durationMs / 1000) * rate));
          while (scheduled < due) {
            scheduled++;
            if (inFlight >= maxInFlight) {
              skipped++;
              continue;
            }
            inFlight++;
            const write = writePayment(users[scheduled % users.length]!)
              .then(
                () => void succeeded++,
                (error: Error) => {
                  failed++;
                  firstError ??= error.message;
                },
              )
              .finally(() => {
                inFlight--;
                pending.delete(write);
              });
            pending.add(write);
          }
          if (elapsed >= durationMs) {
            clearInterval(timer);
            resolve();
          }
        }, 5);
      });
      await Promise.all(pending);
      return { scheduled, succeeded, failed, skipped, seconds: durationMs / 1000, ...(firstError && { firstError }) };
    },
  },
  async () => {
    await relay.stop();
    await nats.drain().catch(() => nats.close());
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
  },
);
