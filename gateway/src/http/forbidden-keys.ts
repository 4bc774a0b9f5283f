import type { FastifyInstance } from 'fastify';
import { jsonRpcError, requestIdOf } from './json-rpc-error';

/** JSON-RPC 2.0 §5.1 "Invalid params": the code MCP uses for arguments a tool or resource refuses. */
const INVALID_PARAMS = -32602;

/** The path of the first own `__proto__` key in a parsed body, relative to a tool call's arguments when inside them. */
function protoKeyPath(value: unknown, path: string[] = []): string[] | null {
  if (typeof value !== 'object' || value === null) return null;
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return [...path, key];
    const found = protoKeyPath((value as Record<string, unknown>)[key], [...path, key]);
    if (found) return found;
  }
  return null;
}

function fieldName(path: string[]): string {
  const args = path[0] === 'params' && path[1] === 'arguments' ? path.slice(2) : path;
  return args.join('.');
}

/**
 * A body key named `__proto__` is refused as invalid params naming the field, not as unparsable JSON (it is valid
 * JSON, RFC 8259). Fastify parses bodies with `onProtoPoisoning: 'ignore'` (plain JSON.parse keeps `__proto__` as an
 * own property and never sets a prototype), and this hook refuses any such key before the body reaches the MCP SDK,
 * whose schema parsing would otherwise drop it silently. An own `__proto__` in a tool's arguments is an unknown field,
 * as the contract's validator says of every name that is not a field.
 */
export function registerForbiddenKeys(app: FastifyInstance): void {
  app.addHook('preValidation', async (request, reply) => {
    const path = protoKeyPath(request.body);
    if (!path) return;
    const field = fieldName(path);
    return reply.code(400).send(
      jsonRpcError(requestIdOf(request.body), INVALID_PARAMS, `Invalid params: unknown field ${field}`, {
        reason: 'VALIDATION_FAILED',
        message: `unknown field ${field}`,
        field,
      }),
    );
  });
}
