import { randomUUID } from 'node:crypto';

import { createMcpHandler } from '@modelcontextprotocol/server';
import type { AuthInfo, JSONRPCMessage } from '@modelcontextprotocol/server';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { LegacySseSessions } from './legacy-sse';
import type { NatsRelayConnection } from './sse-relay';
import { registerStreamableHttp } from './streamable-http';
import type { ServerFactory } from './types';

export type { ServerContext, ServerFactory } from './types';
export type { NatsRelayConnection, NatsRelayMessage } from './sse-relay';
export { RELAY_SUBJECT_PREFIX } from './sse-relay';
export { bearerChallenge } from './auth-gate';

export interface McpTransportOptions {
  /**
   * Builds a fresh McpServer: per POST on Streamable HTTP, per session on SSE. Never share one McpServer across
   * clients (CVE-2026-25536: responses of one client could reach another).
   */
  createServer: ServerFactory;
  /**
   * Resolves the caller of an HTTP request from its headers; null means anonymous. Throws for a credential it rejects
   * (401 `invalid_token`); an `OAuthError` coded `temporarily_unavailable` or `server_error` answers 503 instead.
   */
  authenticate: (request: FastifyRequest) => Promise<AuthInfo | null>;
  /** Whether an anonymous caller may send this JSON-RPC message (discovery, and the sign-in tools). */
  allowAnonymous: (message: JSONRPCMessage) => boolean;
  /**
   * Who a credential speaks for (the user), so that a legacy SSE stream only takes POSTs from the principal that
   * opened it. Two tokens of one user are one principal. Default: `authInfo.clientId`, which is only right where a
   * client id names one user; the gateway passes the user id.
   */
  principalOf?: (authInfo: AuthInfo) => string;
  /** URL of the RFC 9728 protected-resource metadata, named by every 401's `WWW-Authenticate`. */
  resourceMetadataUrl: string;
  /** Interval of the `: ping` comments on SSE streams. Default 15000. */
  heartbeatMs?: number;
  /** Relays POSTs between replicas to the one holding the SSE stream. Absent: a single replica. */
  nats?: NatsRelayConnection;
  /** Names this replica in logs. Default: a random id. */
  replicaId?: string;
}

export interface McpTransports {
  /** Number of SSE sessions this replica holds. */
  sessionCount(): number;
  /** Ends every SSE stream and in-flight Streamable HTTP exchange; new SSE streams are refused. Idempotent. */
  close(): Promise<void>;
}

/**
 * Registers the gateway's MCP endpoints on `app`: Streamable HTTP at `/mcp` (stateless) and the legacy HTTP+SSE
 * transport at `/mcp/sse` + `/mcp/messages` (and the `/:clientId` variants). Every POST passes the auth gate first.
 * The transports are closed before fastify closes its server, so open SSE streams do not hold `app.close()` up.
 */
export async function registerMcpTransports(
  app: FastifyInstance,
  options: McpTransportOptions,
): Promise<McpTransports> {
  const gate = {
    authenticate: options.authenticate,
    allowAnonymous: options.allowAnonymous,
    resourceMetadataUrl: options.resourceMetadataUrl,
  };
  const handler = createMcpHandler(
    ({ era, authInfo }) => options.createServer({ transport: 'streamable-http', era, authInfo }),
    {
      onerror: (error) => app.log.debug({ err: error }, 'MCP request rejected or failed'),
    },
  );
  const sse = new LegacySseSessions({
    createServer: options.createServer,
    gate,
    principalOf: options.principalOf ?? ((authInfo) => authInfo.clientId),
    heartbeatMs: options.heartbeatMs ?? 15_000,
    nats: options.nats,
    replicaId: options.replicaId ?? randomUUID(),
    log: app.log,
  });

  registerStreamableHttp(app, handler, gate);
  sse.register(app);

  let closed: Promise<void> | undefined;
  const close = () => (closed ??= Promise.all([sse.closeAll(), handler.close()]).then(() => undefined));
  app.addHook('preClose', close);

  return { sessionCount: () => sse.size, close };
}
