import { parseJSONRPCMessage } from '@modelcontextprotocol/server';
import type { AuthInfo, JSONRPCMessage, McpServer } from '@modelcontextprotocol/server';
import { SSEServerTransport } from '@modelcontextprotocol/server-legacy/sse';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { jsonRpcError, jsonRpcErrorsFor, JsonRpcErrorCode, requestIdOf } from '../http/json-rpc-error';
import { gateCaller, verifyCredential } from './auth-gate';
import type { AuthGateOptions } from './auth-gate';
import { batchRefusal, negotiatedRevision } from './batch-rule';
import {
  decodeJson,
  fromWireAuthInfo,
  isNoResponders,
  RELAY_TIMEOUT_MS,
  relaySubject,
  toWireAuthInfo,
} from './sse-relay';
import type {
  NatsRelayConnection,
  NatsRelayMessage,
  RelayedPost,
  RelayReply,
  RelayRequest,
  SessionKey,
} from './sse-relay';
import type { ServerFactory } from './types';
import { carryReplyHeaders } from './web-bridge';

export interface LegacySseOptions {
  createServer: ServerFactory;
  gate: AuthGateOptions;
  /** Who a credential speaks for; a stream only takes POSTs from the principal that opened it. */
  principalOf: (authInfo: AuthInfo) => string;
  heartbeatMs: number;
  nats?: NatsRelayConnection;
  replicaId: string;
  log: FastifyBaseLogger;
}

interface SseSession {
  mapKey: string;
  transport: SSEServerTransport;
  server: McpServer;
  heartbeat?: NodeJS.Timeout;
  subscription?: { unsubscribe(): void };
  closed: boolean;
  /** The principal that opened the stream; null for an anonymous opener. */
  principal: string | null;
  /** The protocol revision the session's `initialize` negotiated; undefined before it. */
  revision?: string;
}

/** Client ids become a NATS subject token and a path segment: letters, digits, `-` and `_` only. */
const CLIENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Request headers that are not forwarded to handlers: credentials (already resolved into AuthInfo) and framing. */
const NOT_FORWARDED = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'upgrade',
  'expect',
]);

const mapKeyOf = (key: SessionKey): string => `${key.kind}:${key.id}`;

/**
 * The 2024-11-05 HTTP+SSE transport: `GET /mcp/sse` opens a stream whose `endpoint` event names
 * `/mcp/messages?sessionId=…`; the original design's `GET /mcp/sse/:clientId` names `/mcp/messages/:clientId`.
 * Each stream gets its own McpServer for its lifetime. Every POST is authenticated on its own: its credential is the
 * caller of the messages it carries. A stream belongs to the principal that opened it, and only takes POSTs from that
 * same principal (the same user, whichever of their tokens; an anonymously opened stream only anonymous POSTs):
 * client ids are chosen by clients and guessable, so without this a stream opened under another client's id would
 * receive that client's answers, and a stranger could post answers to the server's requests (an elicitation
 * confirming a payment) into someone else's session. A POST from another principal is answered 403 (see `deliver`).
 *
 * With NATS, the replica holding a stream subscribes to the stream's subject, and a POST arriving at any other
 * replica is relayed there (core request/reply), so load balancers need no sticky sessions.
 */
export class LegacySseSessions {
  private readonly sessions = new Map<string, SseSession>();
  /** Client ids whose stream is being opened, so that a second GET for one of them is refused at once. */
  private readonly opening = new Set<string>();
  private closing = false;

  constructor(private readonly options: LegacySseOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  register(app: FastifyInstance): void {
    app.get('/mcp/sse', (request, reply) => this.open(request, reply, undefined));
    app.get<{ Params: { clientId: string } }>('/mcp/sse/:clientId', (request, reply) =>
      this.open(request, reply, request.params.clientId),
    );
    app.post<{ Querystring: { sessionId?: string } }>('/mcp/messages', (request, reply) => {
      const sessionId = request.query.sessionId;
      if (typeof sessionId !== 'string' || sessionId.length === 0) {
        return reply.code(400).send(jsonRpcError(null, JsonRpcErrorCode.InvalidRequest, 'Missing sessionId parameter'));
      }
      return this.post(request, reply, { kind: 'session', id: sessionId });
    });
    app.post<{ Params: { clientId: string } }>('/mcp/messages/:clientId', (request, reply) =>
      this.post(request, reply, { kind: 'client', id: request.params.clientId }),
    );
  }

  async closeAll(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.sessions.values()].map((session) => this.closeSession(session)));
  }

  private async open(request: FastifyRequest, reply: FastifyReply, clientId: string | undefined): Promise<unknown> {
    if (this.closing) {
      return reply.code(503).send(jsonRpcError(null, JsonRpcErrorCode.ServerError, 'Shutting down'));
    }
    if (clientId !== undefined && !CLIENT_ID.test(clientId)) {
      return reply.code(400).send(jsonRpcError(null, JsonRpcErrorCode.InvalidRequest, 'Invalid client id'));
    }
    // The stream carries no message to authorize, so an anonymous caller may open one (discovery works over it);
    // a credential that is present must still be valid.
    const opener = await verifyCredential(request, null, this.options.gate);
    if (!opener.ok) return reply.code(opener.status).headers(opener.headers).send(opener.body);

    const clientKey = clientId === undefined ? undefined : mapKeyOf({ kind: 'client', id: clientId });
    if (clientId !== undefined && clientKey !== undefined) {
      if (this.sessions.has(clientKey) || this.opening.has(clientKey)) return this.conflict(reply);
      this.opening.add(clientKey);
      let held: boolean;
      try {
        held = await this.heldElsewhere({ kind: 'client', id: clientId });
      } finally {
        this.opening.delete(clientKey);
      }
      if (held || this.sessions.has(clientKey)) return this.conflict(reply);
    }

    reply.hijack();
    const res = reply.raw;
    carryReplyHeaders(reply);
    // Keeps buffering reverse proxies (nginx) from holding back events.
    res.setHeader('X-Accel-Buffering', 'no');
    const transport = new SSEServerTransport(
      clientId === undefined ? '/mcp/messages' : `/mcp/messages/${clientId}`,
      res,
    );
    const key: SessionKey =
      clientId === undefined ? { kind: 'session', id: transport.sessionId } : { kind: 'client', id: clientId };
    const session: SseSession = {
      mapKey: mapKeyOf(key),
      transport,
      server: this.options.createServer({ transport: 'sse', authInfo: opener.authInfo }),
      closed: false,
      principal: opener.authInfo ? this.options.principalOf(opener.authInfo) : null,
    };
    this.sessions.set(session.mapKey, session);
    res.once('close', () => void this.closeSession(session));

    try {
      const nats = this.options.nats;
      if (nats) {
        session.subscription = nats.subscribe(relaySubject(key), {
          callback: (error, message) => void this.answerRelay(session, error, message),
        });
        // The subscription must reach the NATS server before the client learns the endpoint, or a POST that lands on
        // another replica right away would find no owner.
        await nats.flush();
      }
      if (session.closed) return;
      await session.server.connect(transport);
      session.heartbeat = setInterval(() => {
        // An SSE comment line: ignored by clients, keeps idle streams open through proxies and load balancers.
        if (!res.writableEnded) res.write(': ping\n\n');
      }, this.options.heartbeatMs);
      session.heartbeat.unref();
      request.log.debug({ session: session.mapKey, replica: this.options.replicaId }, 'SSE session opened');
    } catch (error) {
      request.log.error({ err: error }, 'SSE session failed to open');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(jsonRpcError(null, JsonRpcErrorCode.InternalError, 'Internal server error')));
      }
      await this.closeSession(session);
    }
  }

  private async post(request: FastifyRequest, reply: FastifyReply, key: SessionKey): Promise<unknown> {
    const body = request.body;
    const caller = await gateCaller(request, body, this.options.gate);
    if (!caller.ok) return reply.code(caller.status).headers(caller.headers).send(caller.body);

    let messages: JSONRPCMessage[];
    try {
      messages = (Array.isArray(body) ? body : [body]).map((message) => parseJSONRPCMessage(message));
    } catch {
      return reply
        .code(400)
        .send(jsonRpcError(requestIdOf(body), JsonRpcErrorCode.InvalidRequest, 'Invalid JSON-RPC message'));
    }
    if (messages.length === 0) {
      return reply.code(400).send(jsonRpcError(null, JsonRpcErrorCode.InvalidRequest, 'Empty batch'));
    }
    const relayed: RelayedPost = {
      kind: 'post',
      messages,
      batch: Array.isArray(body),
      ...(caller.authInfo && { authInfo: toWireAuthInfo(caller.authInfo) }),
      url: new URL(request.url, `${request.protocol}://${request.host}`).href,
      headers: forwardedHeaders(request),
    };

    const local = key.kind === 'client' && !CLIENT_ID.test(key.id) ? undefined : this.sessions.get(mapKeyOf(key));
    if (local) return this.answerPost(reply, await this.deliver(local, relayed), body);
    const nats = this.options.nats;
    if (nats && (key.kind === 'session' ? isUuid(key.id) : CLIENT_ID.test(key.id))) {
      try {
        const answer = await nats.request(relaySubject(key), JSON.stringify(relayed), { timeout: RELAY_TIMEOUT_MS });
        return this.answerPost(reply, decodeJson<RelayReply>(answer.data), body);
      } catch (error) {
        if (!isNoResponders(error)) {
          request.log.error({ err: error, session: mapKeyOf(key) }, 'relaying a POST to its SSE session failed');
          return reply
            .code(504)
            .send(jsonRpcErrorsFor(body, JsonRpcErrorCode.ServerError, 'Session owner did not answer'));
        }
      }
    }
    return this.answerPost(reply, { status: 404, message: 'unknown session' }, body);
  }

  private answerPost(reply: FastifyReply, answer: RelayReply, body: unknown): FastifyReply {
    if (answer.status === 202) return reply.code(202).type('text/plain').send('Accepted');
    const message = answer.message ?? 'Request failed';
    // 400: the body itself is invalid (JSON-RPC 2.0 §5: its id could not be trusted, so null). Otherwise the POST was
    // refused whole, and every request in it gets its error under its own id.
    if (answer.status === 400) {
      return reply.code(400).send(jsonRpcError(null, JsonRpcErrorCode.InvalidRequest, message));
    }
    return reply.code(answer.status).send(jsonRpcErrorsFor(body, JsonRpcErrorCode.ServerError, message));
  }

  /**
   * Hands a POST's messages to the session's server, with the caller that POST authenticated as. Runs on the replica
   * that holds the stream, for local and relayed POSTs alike, so the owner is the one that checks the principal.
   *
   * A POST from another principal than the stream's is refused with 403, not 404: the caller is authenticated and the
   * stream exists, it is just not theirs (RFC 9110 §15.5.4). Hiding its existence would buy nothing, since a GET for
   * a taken client id already answers 409, and session ids are unguessable UUIDs. 403 also tells a client that signed
   * in on an anonymous stream what to do (open a stream with its credential), where 404 would read as "session gone".
   */
  private async deliver(session: SseSession, post: RelayedPost): Promise<RelayReply> {
    if (session.closed) return { status: 404, message: 'unknown session' };
    const authInfo: AuthInfo | undefined = post.authInfo && fromWireAuthInfo(post.authInfo);
    const principal = authInfo ? this.options.principalOf(authInfo) : null;
    if (principal !== session.principal) {
      this.options.log.warn(
        { session: session.mapKey, anonymous: principal === null, streamAnonymous: session.principal === null },
        'refused a POST into an SSE stream opened by another principal',
      );
      return {
        status: 403,
        message:
          session.principal === null
            ? 'Forbidden: this stream was opened without a credential and only takes POSTs without one; open a stream with your credential'
            : 'Forbidden: this stream belongs to another principal; open a stream of your own',
      };
    }
    const refusal = batchRefusal(post.batch ? post.messages : post.messages[0], session.revision);
    if (refusal !== null) return { status: 400, message: refusal };
    const request = new Request(post.url, { method: 'POST', headers: post.headers });
    try {
      for (const message of post.messages) {
        const revision = negotiatedRevision(message);
        if (revision !== undefined) session.revision = revision;
        await session.transport.handleMessage(message, { request, ...(authInfo && { authInfo }) });
      }
    } catch {
      return { status: 400, message: 'Invalid JSON-RPC message' };
    }
    return { status: 202 };
  }

  private async answerRelay(session: SseSession, error: Error | null, message: NatsRelayMessage): Promise<void> {
    if (error) {
      this.options.log.warn({ err: error, session: session.mapKey }, 'SSE relay subscription failed');
      return;
    }
    let answer: RelayReply;
    try {
      const relayed = decodeJson<RelayRequest>(message.data);
      if (relayed.kind === 'probe') answer = { status: 200 };
      else {
        const messages = relayed.messages.map((m) => parseJSONRPCMessage(m));
        answer = await this.deliver(session, { ...relayed, messages });
      }
    } catch {
      answer = { status: 400, message: 'Invalid relayed message' };
    }
    message.respond(JSON.stringify(answer));
  }

  /** Whether another replica holds a stream under this key. */
  private async heldElsewhere(key: SessionKey): Promise<boolean> {
    const nats = this.options.nats;
    if (!nats) return false;
    try {
      await nats.request(relaySubject(key), JSON.stringify({ kind: 'probe' } satisfies RelayRequest), {
        timeout: RELAY_TIMEOUT_MS,
      });
      return true;
    } catch (error) {
      if (isNoResponders(error)) return false;
      throw error;
    }
  }

  private conflict(reply: FastifyReply): FastifyReply {
    return reply.code(409).send(jsonRpcError(null, JsonRpcErrorCode.ServerError, 'Client id already connected'));
  }

  private async closeSession(session: SseSession): Promise<void> {
    if (session.closed) return;
    session.closed = true;
    clearInterval(session.heartbeat);
    session.subscription?.unsubscribe();
    if (this.sessions.get(session.mapKey) === session) this.sessions.delete(session.mapKey);
    try {
      // Closing the server closes its transport, which ends the SSE response.
      await session.server.close();
    } catch (error) {
      this.options.log.warn({ err: error, session: session.mapKey }, 'closing an SSE session failed');
    }
  }
}

function forwardedHeaders(request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || NOT_FORWARDED.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
