import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { jetstream as jetstreamClient, jetstreamManager as jetstreamManagerClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { connect } from '@nats-io/transport-node';

/** Options of {@link connectNats}. */
export interface ConnectNatsOptions {
  /** One or more `nats://host:port` URLs (or `host:port`). */
  servers: string | string[];
  /** The connection's name as the server's monitoring shows it, e.g. the service name. */
  name: string;
  /** Milliseconds between reconnect attempts to a server (default 1000). */
  reconnectTimeWaitMs?: number;
}

/**
 * Connects to NATS for a long-running service: it reconnects forever (`maxReconnectAttempts: -1`) and keeps
 * waiting when the server is not up yet at start (`waitOnFirstConnect`), so a NATS restart or a rolling upgrade
 * never closes the connection for good. While disconnected, outgoing messages are buffered by the client and
 * JetStream requests fail with a timeout; the outbox keeps events until they are acknowledged.
 */
export function connectNats(options: ConnectNatsOptions): Promise<NatsConnection> {
  return connect({
    servers: options.servers,
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: options.reconnectTimeWaitMs ?? 1000,
    waitOnFirstConnect: true,
  });
}

/** The JetStream client of a connection (publish, consumers). */
export function jetstream(nc: NatsConnection): JetStreamClient {
  return jetstreamClient(nc);
}

/** The JetStream manager of a connection (streams and consumers administration). */
export function jetstreamManager(nc: NatsConnection): Promise<JetStreamManager> {
  return jetstreamManagerClient(nc);
}
