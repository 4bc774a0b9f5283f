import { streams } from '@fintech/contracts';
import {
  migrateServiceSchema,
  createConsumer,
  createLogger,
  createPool,
  jetstreamManager,
  connectNats,
} from '@fintech/kit';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import pg from 'pg';
import { serveParent } from '../lib/child';
import { quantile, sortedCopy } from '../lib/stats';

/**
 * A durable JetStream consumer of the payments stream, built with the kit's createConsumer as the fleet's own
 * consumers are (explicit ack, effects once per event id through processed_events), in a schema of its own. It
 * records, per event, when its effect ran against when the event was created in the payment's transaction.
 */
const schema = process.env.CONSUMER_SCHEMA!;
const databaseUrl = process.env.DATABASE_URL!;
const durable = `bench_${schema}`;
const concurrency = Number(process.env.CONSUMER_CONCURRENCY ?? 16);

// The kit's own tables (outbox, processed_events), as every service gets them.
await migrateServiceSchema({ connectionString: databaseUrl, schema });

const logger = createLogger({ name: 'bench-consumer', level: 'warn' });
const nats = await connectNats({ servers: process.env.NATS_URL!, name: 'bench-consumer' });
const pool = createPool({ connectionString: databaseUrl, schema, max: concurrency });

// The stream is shared with every other user of this NATS server: the durable starts at the stream's end, so it
// reads this run's events and not the stream's history. createConsumer keeps an existing durable's start.
const jsm = await jetstreamManager(nats);
await jsm.consumers.add(streams.payments.name, {
  durable_name: durable,
  ack_policy: AckPolicy.Explicit,
  deliver_policy: DeliverPolicy.New,
  filter_subject: 'fintech.payments.>',
});

/** Per event id: how many times its effect ran, and the commit-to-consume latency of the first. */
const effects = new Map<string, { count: number; latencyMs: number; at: number }>();

const consumer = createConsumer({
  nats,
  stream: streams.payments.name,
  durable,
  filterSubjects: ['fintech.payments.>'],
  pool,
  consumerName: 'bench',
  schema,
  logger,
  concurrency,
  async handle(event) {
    const now = Date.now();
    const seen = effects.get(event.id);
    if (seen) seen.count++;
    else effects.set(event.id, { count: 1, latencyMs: now - Date.parse(event.occurred_at), at: now });
  },
});
await consumer.start();

serveParent(
  {},
  {
    /** What was consumed of `expected` (the outbox's event ids): lost, duplicated, latencies. */
    report({ expected }: { expected: string[] }) {
      const wanted = new Set(expected);
      let consumed = 0;
      let duplicated = 0;
      let foreign = 0;
      let firstAt = Number.POSITIVE_INFINITY;
      let lastAt = 0;
      const latencies: number[] = [];
      for (const [id, effect] of effects) {
        // Events of other users of the shared stream (tests running at the same time) are not this run's.
        if (!wanted.has(id)) {
          foreign++;
          continue;
        }
        consumed++;
        latencies.push(effect.latencyMs);
        firstAt = Math.min(firstAt, effect.at);
        lastAt = Math.max(lastAt, effect.at);
        if (effect.count > 1) duplicated += effect.count - 1;
      }
      const sorted = sortedCopy(latencies);
      return {
        consumed,
        lost: expected.length - consumed,
        duplicated,
        foreign,
        p50: quantile(sorted, 0.5),
        p90: quantile(sorted, 0.9),
        p99: quantile(sorted, 0.99),
        max: sorted[sorted.length - 1] ?? Number.NaN,
        spanSeconds: consumed > 0 ? (lastAt - firstAt) / 1000 : 0,
      };
    },
    count: ({ expected }: { expected: string[] }) => expected.filter((id) => effects.has(id)).length,
  },
  async () => {
    await consumer.stop();
    await jsm.consumers.delete(streams.payments.name, durable).catch(() => undefined);
    await nats.drain().catch(() => nats.close());
    await pool.end();
    const drop = new pg.Client({ connectionString: databaseUrl });
    await drop.connect();
    await drop.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await drop.end();
  },
);
