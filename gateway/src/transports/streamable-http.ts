import type { McpHttpHandler } from '@modelcontextprotocol/server';
import type { FastifyInstance } from 'fastify';

import { jsonRpcError, JsonRpcErrorCode, requestIdOf } from '../http/json-rpc-error';
import { gateCaller } from './auth-gate';
import type { AuthGateOptions } from './auth-gate';
import { batchRefusal } from './batch-rule';
import { sendWebResponse, toWebRequest } from './web-bridge';

export const MCP_PATH = '/mcp';

/**
 * Streamable HTTP at `/mcp`, stateless: the SDK's `createMcpHandler` builds a fresh server per POST and serves both
 * protocol eras from it (2026-07-28 requests carrying the `_meta` envelope, and 2025-era requests over a transport
 * made with `sessionIdGenerator: undefined`). Nothing lives between requests, so any replica answers any request.
 */
export function registerStreamableHttp(app: FastifyInstance, handler: McpHttpHandler, gate: AuthGateOptions): void {
  app.post(MCP_PATH, async (request, reply) => {
    // Per the MCP spec (Streamable HTTP, 2025-06-18 and later), a client MUST send MCP-Protocol-Version on every
    // request after initialize, and a server that receives none SHOULD assume 2025-03-26: the last revision with
    // batches. A batch the negotiated revision does not have is refused whole, before any of it is evaluated.
    const revision = request.headers['mcp-protocol-version'];
    const refusal = batchRefusal(request.body, typeof revision === 'string' ? revision : undefined);
    if (refusal !== null) return reply.code(400).send(jsonRpcError(null, JsonRpcErrorCode.InvalidRequest, refusal));

    const caller = await gateCaller(request, request.body, gate);
    if (!caller.ok) return reply.code(caller.status).headers(caller.headers).send(caller.body);

    reply.hijack();
    try {
      const response = await handler.fetch(toWebRequest(request, reply), {
        // fastify has consumed the Node stream: the SDK classifies and serves the parsed body instead.
        parsedBody: request.body,
        ...(caller.authInfo && { authInfo: caller.authInfo }),
      });
      await sendWebResponse(reply, response);
    } catch (error) {
      request.log.error({ err: error }, 'streamable HTTP exchange failed');
      const res = reply.raw;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          jsonRpcError(requestIdOf(request.body), JsonRpcErrorCode.InternalError, 'Internal server error'),
        ),
      );
    }
  });

  // Per the MCP spec (Streamable HTTP), a server that offers no standalone SSE stream answers GET with 405, and one
  // that does not let clients end sessions answers DELETE with 405; RFC 9110 §15.5.6 requires the Allow header.
  app.route({
    method: ['GET', 'DELETE'],
    url: MCP_PATH,
    handler: async (_request, reply) =>
      reply
        .code(405)
        .header('Allow', 'POST')
        .send(jsonRpcError(null, JsonRpcErrorCode.ServerError, 'Method not allowed.')),
  });
}
