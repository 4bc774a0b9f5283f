import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import { sessionRevokedSchema, streams, subjects } from '@fintech/contracts';
import { jetstream, parseEventEnvelope, type Logger, type NatsConnection } from '@fintech/kit';

export interface SessionRevocationsOptions {
  nats: NatsConnection;
  /** Called for every revoked session whose access tokens may still be alive. */
  onRevoked: (sessionId: string, accessTokensExpireByMs: number) => void;
  logger: Logger;
  /** How far back to replay revocations at start, so a new replica knows recent ones (default one hour). */
  replayMs?: number;
  /** Pause before retrying when the stream cannot be read (default 2 s). */
  retryDelayMs?: number;
}

export interface SessionRevocations {
  /** Resolves once the first subscription attempt is made; keeps retrying in the background if it failed. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Follows the auth service's `fintech.auth.session.revoked` events on every gateway replica. Each replica reads them
 * through its own ephemeral ordered consumer on the auth stream (not a shared durable one: every replica must see
 * every revocation, since each holds its own cache of exchanged tokens). An ordered consumer resumes where it was
 * after a NATS reconnect, so a revocation published meanwhile is not lost; at start it replays the last hour, so a
 * replica that has just started refuses recently revoked tokens too.
 */
export function createSessionRevocations(options: SessionRevocationsOptions): SessionRevocations {
  const { nats, logger } = options;
  const replayMs = options.replayMs ?? 3_600_000;
  const retryDelayMs = options.retryDelayMs ?? 2_000;
  const log = logger.child({ component: 'session-revocations' });
  let messages: ConsumerMessages | null = null;
  let stopped = false;
  let loop: Promise<void> | null = null;
  let retry: NodeJS.Timeout | null = null;
  let failures = 0;

  function handle(data: Uint8Array): void {
    try {
      const event = parseEventEnvelope(data);
      const revoked = sessionRevokedSchema.parse(event.data);
      options.onRevoked(revoked.session_id, Date.parse(revoked.access_tokens_expire_by));
      log.info({ sessionId: revoked.session_id, userId: revoked.user_id }, 'session revoked');
    } catch (err) {
      log.warn({ err }, 'ignoring a malformed session revocation event');
    }
  }

  async function subscribe(since: Date): Promise<void> {
    const consumer = await jetstream(nats).consumers.get(streams.auth.name, {
      // A single subject (not an array): nats-server 2.9 has no multi-filter consumers.
      filter_subjects: subjects.auth.sessionRevoked,
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: since.toISOString(),
    });
    const source = await consumer.consume();
    if (stopped) {
      await source.close();
      return;
    }
    messages = source;
    failures = 0;
    loop = (async () => {
      for await (const message of source) handle(message.data);
    })()
      .catch((err: unknown) => log.error({ err }, 'session revocation loop failed'))
      .finally(() => {
        // The ordered consumer recovers from reconnects by itself; if its loop still ends, follow again.
        if (!stopped) retryLater(new Date(Date.now() - replayMs));
      });
  }

  function retryLater(since: Date): void {
    retry = setTimeout(() => void attempt(since), retryDelayMs);
    retry.unref();
  }

  async function attempt(since: Date): Promise<void> {
    try {
      await subscribe(since);
    } catch (err) {
      if (stopped) return;
      // The auth service creates its stream at start; until then there is nothing to follow.
      if (failures++ === 0) log.warn({ err }, 'cannot follow session revocations yet; retrying');
      retryLater(since);
    }
  }

  return {
    async start() {
      stopped = false;
      await attempt(new Date(Date.now() - replayMs));
    },
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      await messages?.close();
      await loop;
      messages = null;
    },
  };
}
