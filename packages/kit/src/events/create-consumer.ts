import type { ConsumerConfig, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { nanos } from '@nats-io/transport-node';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { EventEnvelope } from './envelope';
import { parseEventEnvelope } from './envelope';
import { jetstream, jetstreamManager } from './nats';
import type { EventHandler } from './process-event-once';
import { processEventOnce } from './process-event-once';

/** Options of {@link createConsumer}. */
export interface ConsumerOptions {
  nats: NatsConnection;
  /** The stream to read, e.g. `FINTECH_PAYMENTS`. */
  stream: string;
  /** The JetStream durable consumer name; replicas sharing it share the work. */
  durable: string;
  /** Only these subjects (more than one needs nats-server 2.10 or later). */
  filterSubjects?: string[];
  /** A pool whose connections resolve `processed_events` in the service's schema (see `createPool`). */
  pool: Pool;
  /** The name under which processed events are recorded in `processed_events`; keep it stable across releases. */
  consumerName: string;
  /** Schema of processed_events (see processEventOnce). */
  schema?: string;
  /** Applies the event's effect with the transaction's client. Throw to have the event retried later. */
  handle: EventHandler;
  logger: Logger;
  /** Deliveries before JetStream gives up on a message (default 20; -1 for no limit). */
  maxDeliver?: number;
  /** Time a delivered message may stay unacknowledged before JetStream redelivers it (default 30 s). */
  ackWaitMs?: number;
  /** Messages handled at once (default 1, which keeps stream order per replica). */
  concurrency?: number;
  /** Redelivery delay after the first failure, doubled per delivery up to 60 s (default 1000 ms). */
  retryDelayMs?: number;
}

/** A running event consumer. */
export interface EventConsumer {
  /** Creates or updates the durable consumer, then handles messages in the background. */
  start(): Promise<void>;
  /** Stops pulling and waits for the messages in hand; unstarted ones are handed back to JetStream. */
  stop(): Promise<void>;
}

const MAX_RETRY_DELAY_MS = 60_000;

/**
 * A durable JetStream pull consumer with explicit acks whose effects happen once per event.
 *
 * For each message, in one database transaction: record `(consumerName, event id)` in `processed_events` and run
 * `handle` with the same client; commit, then ack. An event seen before (a redelivery after a lost ack, or the same
 * event published twice) is acked without running `handle`. When `handle` throws, the transaction rolls back and the
 * message is nak'ed with an exponential delay; after `maxDeliver` deliveries JetStream stops redelivering it (logged
 * as an error). A message that is not a valid envelope is terminated, since no retry can fix it.
 */
export function createConsumer(options: ConsumerOptions): EventConsumer {
  const { nats, stream, durable, pool, consumerName, handle, logger } = options;
  const maxDeliver = options.maxDeliver ?? 20;
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const log = logger.child({ stream, durable, consumer: consumerName });

  let messages: ConsumerMessages | null = null;
  let loop: Promise<void> | null = null;
  let stopping = false;
  const inFlight = new Set<Promise<void>>();

  async function ensureDurable(): Promise<void> {
    const jsm = await jetstreamManager(nats);
    const filters = options.filterSubjects ?? [];
    const config: Partial<ConsumerConfig> = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(ackWaitMs),
      max_deliver: maxDeliver,
      // nats-server before 2.10 knows only the single filter_subject.
      ...(filters.length === 1
        ? { filter_subject: filters[0] }
        : filters.length > 1
          ? { filter_subjects: filters }
          : {}),
    };
    try {
      await jsm.consumers.info(stream, durable);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound) {
        await jsm.consumers.add(stream, config);
        return;
      }
      throw err;
    }
    const { durable_name: _name, ack_policy: _ack, deliver_policy: _deliver, ...updatable } = config;
    await jsm.consumers.update(stream, durable, updatable);
  }

  async function handleMessage(msg: JsMsg): Promise<void> {
    let event: EventEnvelope;
    try {
      event = parseEventEnvelope(msg.data);
    } catch (err) {
      log.error({ err, subject: msg.subject, seq: msg.seq }, 'malformed event envelope; terminating the message');
      // No reason text: nats-server before 2.10 does not parse `+TERM <reason>` and would leave the message pending.
      msg.term();
      return;
    }
    try {
      const outcome = await processEventOnce({ pool, consumerName, schema: options.schema, event, handle });
      if (outcome === 'duplicate') log.debug({ eventId: event.id, type: event.type }, 'event already processed');
      msg.ack();
    } catch (err) {
      const delivery = msg.info.deliveryCount;
      if (maxDeliver > 0 && delivery >= maxDeliver) {
        log.error(
          { err, eventId: event.id, type: event.type, delivery },
          'event handler failed on the last delivery; giving up',
        );
      } else {
        log.warn({ err, eventId: event.id, type: event.type, delivery }, 'event handler failed; will retry');
      }
      msg.nak(Math.min(retryDelayMs * 2 ** Math.min(delivery - 1, 20), MAX_RETRY_DELAY_MS));
    }
  }

  async function run(source: ConsumerMessages): Promise<void> {
    for await (const msg of source) {
      if (stopping) {
        // Hand it back now rather than after ack_wait, so another replica takes it.
        msg.nak();
        continue;
      }
      const task = handleMessage(msg).catch((err: unknown) => log.error({ err }, 'event handling crashed'));
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
  }

  async function watch(source: ConsumerMessages): Promise<void> {
    for await (const s of source.status()) {
      if (
        s.type === 'heartbeats_missed' ||
        s.type === 'consumer_deleted' ||
        s.type === 'consumer_not_found' ||
        s.type === 'stream_not_found'
      ) {
        log.warn({ status: s }, 'consumer status');
      }
    }
  }

  return {
    async start() {
      if (messages !== null) return;
      stopping = false;
      await ensureDurable();
      const consumer = await jetstream(nats).consumers.get(stream, durable);
      const source = await consumer.consume({ max_messages: Math.max(concurrency * 2, 32) });
      messages = source;
      loop = run(source).catch((err: unknown) => log.error({ err }, 'consumer loop ended'));
      watch(source).catch(() => undefined);
      log.info('consumer started');
    },
    async stop() {
      if (messages === null) return;
      stopping = true;
      await messages.close();
      await loop;
      await Promise.all(inFlight);
      messages = null;
      loop = null;
    },
  };
}
