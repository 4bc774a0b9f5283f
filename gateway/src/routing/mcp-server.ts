import { McpServer, ProtocolError, type AuthInfo, type CallToolResult } from '@modelcontextprotocol/server';
import { coerceUriVariables } from '@fintech/contracts';
import { DomainError, parseArguments, type Logger } from '@fintech/kit';
import type { Catalog, ResourceEntry, ToolEntry } from '../catalog/catalog';
import { callerOf, type GatewayAuth } from '../auth/caller-auth';
import { authorize, isVisible } from '../policy/access';
import { presentFields } from './present-fields';
import type { Router } from './router';

/**
 * JSON-RPC error codes of failed resource reads. A resource that does not exist — no template matches the URI, or
 * the service finds nothing — is -32602 (invalid params) with the URI in `data`, as MCP 2026-07-28 requires
 * (SEP-2164, which retired the older -32002); the others sit in JSON-RPC's implementation-defined server range.
 */
export const RESOURCE_ERROR_CODES = {
  VALIDATION_FAILED: -32602,
  NOT_FOUND: -32602,
  UNAUTHENTICATED: -32001,
  PERMISSION_DENIED: -32003,
  UNAVAILABLE: -32004,
  OVERLOADED: -32004,
  INTERNAL: -32603,
} as const;

export interface McpServerDeps {
  catalog: Catalog;
  router: Router;
  auth: GatewayAuth;
  logger: Logger;
  serverInfo: { name: string; version: string };
  /** Called after every tool call and resource read, with its outcome (the gateway logs it). */
  onCall?: (event: {
    kind: 'tool' | 'resource';
    name: string;
    userId: string | null;
    outcome: string;
    ms: number;
  }) => void;
}

/** What a failure says to the agent: its reason and message (never a stack trace or an internal detail). */
function describeFailure(error: unknown): { reason: string; message: string; field?: string } {
  if (error instanceof DomainError) {
    return { reason: error.reason, message: error.message, ...(error.field ? { field: error.field } : {}) };
  }
  return { reason: 'INTERNAL', message: 'internal error' };
}

function toolError(error: unknown): CallToolResult {
  const failure = describeFailure(error);
  return {
    isError: true,
    content: [{ type: 'text', text: `${failure.reason}: ${failure.message}` }],
    structuredContent: { error: failure },
  };
}

function resourceError(error: unknown, uri: string): ProtocolError {
  const failure = describeFailure(error);
  const code =
    RESOURCE_ERROR_CODES[failure.reason as keyof typeof RESOURCE_ERROR_CODES] ??
    (failure.reason === 'TOKEN_EXPIRED' || failure.reason === 'INVALID_TOKEN'
      ? RESOURCE_ERROR_CODES.UNAUTHENTICATED
      : RESOURCE_ERROR_CODES.INTERNAL);
  return new ProtocolError(code, failure.message, { uri, ...failure });
}

/**
 * Builds the per-request (or per-session) McpServer whose tools and resources are the catalog's. The work done per
 * request is small: the listings are computed once per set of scopes and reused.
 */
export function createServerFactory(deps: McpServerDeps) {
  const listings = new Map<string, { tools: unknown[]; templates: unknown[] }>();

  const listingFor = (caller: { scopes: Set<string>; userId: string } | null) => {
    const key = caller ? [...caller.scopes].sort().join(' ') : '';
    let listing = listings.get(key);
    if (!listing) {
      listing = {
        tools: deps.catalog.tools
          .filter((tool) => isVisible(tool, caller))
          .map((tool) => ({
            name: tool.name,
            ...(tool.title ? { title: tool.title } : {}),
            description: tool.description,
            inputSchema: tool.inputSchema,
            annotations: { ...(tool.title ? { title: tool.title } : {}), ...tool.annotations },
          })),
        templates: deps.catalog.resources
          .filter((resource) => isVisible(resource, caller))
          .map((resource) => ({
            uriTemplate: resource.uriTemplate,
            name: resource.name,
            ...(resource.title ? { title: resource.title } : {}),
            description: resource.description,
            mimeType: resource.mimeType,
          })),
      };
      listings.set(key, listing);
    }
    return listing;
  };

  async function invoke(
    entry: ToolEntry | ResourceEntry,
    args: Record<string, unknown>,
    authInfo: AuthInfo | undefined,
  ): Promise<unknown> {
    const caller = callerOf(authInfo);
    const request = parseArguments(entry.requestType, args);
    authorize(entry, caller, request);
    const metadata: Record<string, string> = {};
    if (caller?.ip) metadata['x-client-ip'] = caller.ip;
    if (caller?.userAgent) metadata['x-client-user-agent'] = caller.userAgent.slice(0, 512);
    const token = caller && authInfo ? await deps.auth.internalToken(authInfo) : undefined;
    const response = (await deps.router.call(entry, request, { token, metadata })) as Record<string, unknown>;
    return presentFields(entry.responseType, response);
  }

  const audit = (
    kind: 'tool' | 'resource',
    name: string,
    authInfo: AuthInfo | undefined,
    outcome: string,
    started: number,
  ) =>
    deps.onCall?.({ kind, name, userId: callerOf(authInfo)?.userId ?? null, outcome, ms: performance.now() - started });

  return function createServer(): McpServer {
    const mcp = new McpServer(deps.serverInfo, {
      capabilities: { tools: { listChanged: false }, resources: { listChanged: false } },
      instructions:
        'Fintech MCP gateway. Sign in with authenticate_user (then verify_mfa if asked), and send the returned token ' +
        'as "Authorization: Bearer <token>". "me" stands for your own user id in tool arguments and resource URIs.',
    });
    const server = mcp.server;

    server.setRequestHandler('tools/list', async (_request, ctx) => {
      return { tools: listingFor(callerOf(ctx.http?.authInfo)).tools as never };
    });

    server.setRequestHandler('tools/call', async (request, ctx) => {
      const started = performance.now();
      const authInfo = ctx.http?.authInfo;
      const tool = deps.catalog.tool(request.params.name);
      // Per the MCP spec an unknown tool is a protocol error (-32602), not a tool result.
      if (!tool)
        throw new ProtocolError(RESOURCE_ERROR_CODES.VALIDATION_FAILED, `Unknown tool: ${request.params.name}`);
      try {
        const result = (await invoke(tool, request.params.arguments ?? {}, authInfo)) as Record<string, unknown>;
        audit('tool', tool.name, authInfo, 'ok', started);
        return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result };
      } catch (error) {
        if (!(error instanceof DomainError)) deps.logger.error({ err: error, tool: tool.name }, 'tool call failed');
        audit('tool', tool.name, authInfo, describeFailure(error).reason, started);
        return toolError(error);
      }
    });

    server.setRequestHandler('resources/templates/list', async (_request, ctx) => {
      return { resourceTemplates: listingFor(callerOf(ctx.http?.authInfo)).templates as never };
    });

    server.setRequestHandler('resources/list', async (_request, ctx) => {
      const caller = callerOf(ctx.http?.authInfo);
      if (!caller) return { resources: [] };
      // The caller's own resources: every template whose only variable is the user id.
      const resources = deps.catalog.resources
        .filter((r) => isVisible(r, caller))
        .filter((r) => {
          const template = r.templates[0]!;
          return (
            template.pathVariables.length === 1 &&
            template.pathVariables[0] === 'user_id' &&
            !template.queryVariables.length
          );
        })
        .map((r) => ({
          uri: r.uriTemplate.replace('{user_id}', encodeURIComponent(caller.userId)),
          name: r.name,
          ...(r.title ? { title: r.title } : {}),
          description: r.description,
          mimeType: r.mimeType,
        }));
      return { resources };
    });

    server.setRequestHandler('resources/read', async (request, ctx) => {
      const started = performance.now();
      const authInfo = ctx.http?.authInfo;
      const uri = request.params.uri;
      const resolved = deps.catalog.resolve(uri);
      if (!resolved) {
        throw new ProtocolError(RESOURCE_ERROR_CODES.NOT_FOUND, `Resource not found: ${uri}`, {
          uri,
          reason: 'NOT_FOUND',
          message: 'no resource has this URI',
        });
      }
      try {
        const args = coerceUriVariables(resolved.entry.requestType, resolved.variables);
        const result = await invoke(resolved.entry, args, authInfo);
        audit('resource', resolved.entry.name, authInfo, 'ok', started);
        return { contents: [{ uri, mimeType: resolved.entry.mimeType, text: JSON.stringify(result) }] };
      } catch (error) {
        if (!(error instanceof DomainError)) deps.logger.error({ err: error, uri }, 'resource read failed');
        audit('resource', resolved.entry.name, authInfo, describeFailure(error).reason, started);
        throw resourceError(error, uri);
      }
    });

    return mcp;
  };
}
