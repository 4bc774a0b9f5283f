import type { AuthInfo, JSONRPCMessage } from '@modelcontextprotocol/server';

/**
 * The part of a NATS connection the relay uses. `NatsConnection` from `@nats-io/transport-node` satisfies it; the
 * gateway's package does not depend on the NATS client itself, the composition root hands one in.
 */
export interface NatsRelayConnection {
  subscribe(
    subject: string,
    options: { callback: (error: Error | null, message: NatsRelayMessage) => void },
  ): { unsubscribe(): void };
  request(subject: string, payload: string, options: { timeout: number }): Promise<{ data: Uint8Array }>;
  flush(): Promise<void>;
}

export interface NatsRelayMessage {
  data: Uint8Array;
  respond(payload: string): boolean;
}

/** A message POSTed to a replica that does not hold its SSE stream, on its way to the replica that does. */
export interface RelayedPost {
  kind: 'post';
  messages: JSONRPCMessage[];
  /** Whether the POST's body was a JSON array (a batch, even of one message): the owner applies the batch rule. */
  batch?: boolean;
  /**
   * The caller the receiving replica resolved from the POST's own credential. The owner compares its principal with
   * the stream's; absent means an anonymous POST.
   */
  authInfo?: WireAuthInfo;
  /** The POST's URL and headers (without credentials), so handlers see the same request either way. */
  url: string;
  headers: Record<string, string>;
}

/** Asks whether anyone holds a session, to refuse a second stream for one client id across replicas. */
export interface RelayProbe {
  kind: 'probe';
}

export type RelayRequest = RelayedPost | RelayProbe;

/** The owner's answer: the HTTP status the POST gets (202 accepted, 400 invalid, 403 another principal's, 404 gone). */
export interface RelayReply {
  status: number;
  message?: string;
}

/** AuthInfo as it crosses NATS: JSON has no URL, so `resource` travels as a string. `extra` must be JSON. */
export type WireAuthInfo = Omit<AuthInfo, 'resource'> & { resource?: string };

/** Core NATS request/reply (not JetStream): a POST is worth relaying only while its stream's owner is alive. */
export const RELAY_SUBJECT_PREFIX = 'fintech.gateway.sse';
export const RELAY_TIMEOUT_MS = 5_000;

/**
 * The subject a session's owner listens on. Session ids are UUIDs; client ids are restricted to subject-safe
 * characters by the route, so neither can add tokens or wildcards to the subject.
 */
export function relaySubject(key: SessionKey): string {
  return `${RELAY_SUBJECT_PREFIX}.${key.kind}.${key.id}`;
}

/** How a POST names its SSE session: `?sessionId=` of `/mcp/messages`, or the client id of the original paths. */
export interface SessionKey {
  kind: 'session' | 'client';
  id: string;
}

export function toWireAuthInfo(authInfo: AuthInfo): WireAuthInfo {
  const { resource, ...rest } = authInfo;
  return resource === undefined ? rest : { ...rest, resource: resource.href };
}

export function fromWireAuthInfo(wire: WireAuthInfo): AuthInfo {
  const { resource, ...rest } = wire;
  return resource === undefined ? rest : { ...rest, resource: new URL(resource) };
}

const decoder = new TextDecoder();

export function decodeJson<T>(data: Uint8Array): T {
  return JSON.parse(decoder.decode(data)) as T;
}

/** Whether a failed NATS request means nobody subscribes to the subject (the session exists on no replica). */
export function isNoResponders(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (cause.name === 'NoResponders' || cause.name === 'NoRespondersError') return true;
    const probe = (cause as { isNoResponders?: () => boolean }).isNoResponders;
    if (typeof probe === 'function' && probe.call(cause)) return true;
  }
  return false;
}
