import type { StreamInfo } from '@nats-io/jetstream';
import { JetStreamApiCodes, JetStreamApiError, StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { nanos } from '@nats-io/transport-node';
import { jetstreamManager } from './nats';

/** nats-server's JSStreamNameExistErr: a stream with this name but another configuration exists. */
const STREAM_NAME_IN_USE = 10058;

/** Options of {@link ensureStream}. */
export interface EnsureStreamOptions {
  /** The stream name, one per domain: `FINTECH_AUTH`. */
  name: string;
  /** The subjects it stores: `['fintech.auth.>']`. */
  subjects: string[];
  /**
   * The window in which a repeated `Nats-Msg-Id` is dropped as a duplicate (default 2 minutes, the server's own
   * default). It must exceed the longest time the outbox relay may take between publishing a row and marking it.
   */
  duplicateWindowMs?: number;
  /** Refuse deleting messages (the audit trail). Once set, the server does not allow turning it off. */
  denyDelete?: boolean;
  /** Refuse purging the stream (the audit trail). Once set, the server does not allow turning it off. */
  denyPurge?: boolean;
}

/**
 * Creates the stream, or updates its subjects, duplicate window and deny flags when it exists. Storage is file, so
 * events survive a server restart. Safe to call from every replica at start.
 */
export async function ensureStream(nats: NatsConnection, options: EnsureStreamOptions): Promise<StreamInfo> {
  const jsm = await jetstreamManager(nats);
  const config = {
    subjects: options.subjects,
    duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
    deny_delete: options.denyDelete ?? false,
    deny_purge: options.denyPurge ?? false,
  };
  try {
    await jsm.streams.info(options.name);
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
    try {
      return await jsm.streams.add({ name: options.name, storage: StorageType.File, ...config });
    } catch (addErr) {
      // Another replica created it between the two calls; fall through to the update.
      if (!(addErr instanceof JetStreamApiError && addErr.code === STREAM_NAME_IN_USE)) throw addErr;
    }
  }
  return jsm.streams.update(options.name, config);
}
