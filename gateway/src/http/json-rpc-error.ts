/** JSON-RPC id of an error response: the request's id when one request could be read, otherwise null (JSON-RPC 2.0 §5). */
export type JsonRpcId = string | number | null;

export interface JsonRpcErrorBody {
  jsonrpc: '2.0';
  id: JsonRpcId;
  error: { code: number; message: string; data?: unknown };
}

/**
 * Error codes used by the gateway's HTTP layer. The standard ones come from JSON-RPC 2.0 §5.1; the others sit in the
 * range JSON-RPC reserves for implementation-defined server errors (-32000 to -32099).
 */
export const JsonRpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  InternalError: -32603,
  /** A transport-level refusal (method not allowed, unknown session, forbidden origin, body too large). */
  ServerError: -32000,
  /** The request needs a credential, or the one it carried was rejected. */
  Unauthorized: -32001,
} as const;

export function jsonRpcError(id: JsonRpcId, code: number, message: string, data?: unknown): JsonRpcErrorBody {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

/**
 * The answer to a POST refused as a whole (401, 403, 429…): for a batch, one error per request in it, each carrying
 * that request's own id (JSON-RPC 2.0 §6; notifications get no response), so a client can match every refusal to its
 * call; for a single message, or a batch of notifications only, one error.
 */
export function jsonRpcErrorsFor(body: unknown, code: number, message: string): JsonRpcErrorBody | JsonRpcErrorBody[] {
  if (!Array.isArray(body)) return jsonRpcError(requestIdOf(body), code, message);
  const ids = body.map(requestIdOf).filter((id) => id !== null);
  return ids.length === 0 ? jsonRpcError(null, code, message) : ids.map((id) => jsonRpcError(id, code, message));
}

/** The id to echo for a parsed body: a single request's id, null for batches, notifications and anything unreadable. */
export function requestIdOf(body: unknown): JsonRpcId {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const { id, method } = body as { id?: unknown; method?: unknown };
  if (typeof method !== 'string') return null;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}
