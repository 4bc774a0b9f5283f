import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';

/**
 * The first protocol revision without JSON-RPC batches. The MCP changelog of 2025-06-18 lists "Remove support for
 * JSON-RPC batching (PR #416)" as its first change, and that revision's Streamable HTTP transport says the body of
 * a POST "MUST be a single JSON-RPC request, notification, or response". 2025-03-26 allowed "an array batching one
 * or more requests and/or notifications"; 2024-11-05 (the HTTP+SSE era) inherits JSON-RPC 2.0's batches. 2025-11-25
 * and 2026-07-28 keep them out.
 */
export const FIRST_REVISION_WITHOUT_BATCHES = '2025-06-18';

/** Revisions are ISO dates, so they order as strings. */
const REVISION = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Why a POSTed body may not be a batch under `revision` (the negotiated MCP protocol revision), or null when it may.
 * Only arrays are judged; a single message is never refused here.
 *
 * - A revision of 2025-06-18 or later has no batches at all.
 * - `initialize` is never part of a batch: 2025-03-26 (lifecycle) says "The initialize request MUST NOT be part of a
 *   JSON-RPC batch", and the version it would negotiate is not known until it is answered.
 */
export function batchRefusal(body: unknown, revision: string | undefined): string | null {
  if (!Array.isArray(body)) return null;
  // A repeated header arrives joined with commas; any revision named that has no batches decides.
  const named = (revision ?? '').split(',').map((part) => part.trim());
  revision = named.find((part) => REVISION.test(part) && part >= FIRST_REVISION_WITHOUT_BATCHES);
  if (revision !== undefined) {
    return `Invalid Request: JSON-RPC batches are not supported in MCP protocol revision ${revision} (removed in ${FIRST_REVISION_WITHOUT_BATCHES}); send one message per request`;
  }
  if (body.some((message) => methodOf(message) === 'initialize')) {
    return 'Invalid Request: initialize must not be part of a JSON-RPC batch';
  }
  return null;
}

/**
 * The revision an `initialize` request ends up with: the client's own when the server supports it, otherwise the
 * server's latest (MCP lifecycle, version negotiation: "Otherwise, the server MUST respond with another protocol
 * version it supports. This SHOULD be the latest version supported by the server.").
 */
export function negotiatedRevision(initialize: unknown): string | undefined {
  if (methodOf(initialize) !== 'initialize') return undefined;
  const requested = (initialize as { params?: { protocolVersion?: unknown } }).params?.protocolVersion;
  return typeof requested === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(requested)
    ? requested
    : LATEST_PROTOCOL_VERSION;
}

function methodOf(message: unknown): unknown {
  return typeof message === 'object' && message !== null ? (message as { method?: unknown }).method : undefined;
}
