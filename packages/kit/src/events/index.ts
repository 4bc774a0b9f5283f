export { newEventId, eventIdTime, UUID_V7_PATTERN } from './event-id';
export {
  subjectPattern,
  isEventSubject,
  assertEventSubject,
  InvalidEventSubjectError,
  createEvent,
  eventEnvelopeSchema,
  parseEventEnvelope,
} from './envelope';
export type { EventEnvelope, CreateEventInput } from './envelope';
export { fromPrisma, fromPg, toSqlExecutor } from './sql-executor';
export type { SqlExecutor, SqlExecutorLike, PrismaRawExecutor, PgQueryable } from './sql-executor';
export { enqueueEvents, recordEvents } from './enqueue-events';
export { createOutboxRelay } from './outbox-relay';
export type { OutboxRelay, OutboxRelayOptions, PublishedEvent } from './outbox-relay';
export { ensureStream } from './ensure-stream';
export type { EnsureStreamOptions } from './ensure-stream';
export { createConsumer } from './create-consumer';
export type { ConsumerOptions, EventConsumer } from './create-consumer';
export { processEventOnce } from './process-event-once';
export type { EventHandler, ProcessEventOnceOptions } from './process-event-once';
export { connectNats, jetstream, jetstreamManager } from './nats';
export type { ConnectNatsOptions } from './nats';
export type { NatsConnection } from '@nats-io/transport-node';
