import cors from '@fastify/cors';
import { validateHostHeader } from '@modelcontextprotocol/server';
import type { FastifyError, FastifyInstance } from 'fastify';

import { jsonRpcError, JsonRpcErrorCode, requestIdOf } from './json-rpc-error';

export interface HttpSecurityOptions {
  /**
   * Browser origins allowed to call the gateway, as serialized origins (`https://app.example.com`,
   * `http://localhost:6274`). Compared exactly after URL normalization; they also form the CORS allowlist.
   */
  allowedOrigins: string[];
  /**
   * Hostnames the gateway answers to, compared without the port (the MCP SDK's convention: the port is fixed at
   * listen time and adds nothing against DNS rebinding, where the attacker's hostname is what shows). Loopback names
   * are always allowed.
   */
  allowedHosts: string[];
  /** Largest request body accepted, in bytes; larger bodies are answered 413. */
  bodyLimitBytes: number;
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** Methods whose requests carry no body to decode, so their Content-Type says nothing. */
const BODILESS_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Response headers a browser client must be able to read: the session id (2025-era Streamable HTTP), the
 * authorization challenge (RFC 9728 §5.1 discovery) and the negotiated protocol version.
 */
const EXPOSED_HEADERS = ['Mcp-Session-Id', 'WWW-Authenticate', 'MCP-Protocol-Version'];

/**
 * Registers the HTTP guards every gateway route sits behind: Host and Origin validation, CORS for the allowed
 * origins, the body limit and one error handler. Call it before registering routes: the body limit is applied to
 * each route as it is added.
 */
export async function registerHttpSecurity(app: FastifyInstance, options: HttpSecurityOptions): Promise<void> {
  const allowedHosts = [...new Set([...LOOPBACK_HOSTS, ...options.allowedHosts.map((host) => host.toLowerCase())])];
  const allowedOrigins = new Set(options.allowedOrigins.map(normalizeOrigin).filter((o): o is string => o !== null));
  const isAllowedOrigin = (origin: string): boolean => {
    const normalized = normalizeOrigin(origin);
    return normalized !== null && allowedOrigins.has(normalized);
  };

  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= options.bodyLimitBytes;
  });

  app.addHook('onRequest', async (request, reply) => {
    // A Host this gateway does not serve is answered 421 Misdirected Request (RFC 9110 §15.5.20): the request reached
    // a server that will not produce an authoritative answer for that authority. It is what a DNS-rebinding page
    // produces, and it tells an operator apart from the 403 of a refused Origin.
    const host = validateHostHeader(request.headers.host, allowedHosts);
    if (!host.ok) {
      return reply
        .code(421)
        .send(jsonRpcError(null, JsonRpcErrorCode.ServerError, 'Misdirected request: unknown Host'));
    }
    // Per the MCP spec (transports, security warning), servers MUST validate the Origin header to prevent DNS
    // rebinding and answer an invalid one with 403. Requests without Origin come from non-browser clients and pass.
    const origin = request.headers.origin;
    if (origin !== undefined && !isAllowedOrigin(origin)) {
      return reply.code(403).send(jsonRpcError(null, JsonRpcErrorCode.ServerError, 'Forbidden: origin not allowed'));
    }
    const charset = BODILESS_METHODS.has(request.method)
      ? undefined
      : charsetsOf(request.headers['content-type']).find((name) => name !== 'utf-8');
    if (charset !== undefined) {
      // RFC 8259 §8.1: JSON exchanged between systems MUST be UTF-8, and the application/json registration (§11)
      // defines no charset parameter. A client that names another charset means its body is in it; reading those
      // bytes as UTF-8 would evaluate something other than what was sent, so the request is refused (RFC 9110
      // §15.5.16, 415 Unsupported Media Type) rather than guessed at.
      return reply
        .code(415)
        .send(
          jsonRpcError(
            null,
            JsonRpcErrorCode.ServerError,
            `Unsupported Media Type: charset "${charset}" is not accepted; send the body as UTF-8 (charset=utf-8 or no charset)`,
          ),
        );
    }
  });

  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && isAllowedOrigin(origin)),
    methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    exposedHeaders: EXPOSED_HEADERS,
    // Bearer tokens travel in the Authorization header, never in cookies.
    credentials: false,
    maxAge: 600,
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply
        .code(status)
        .send(jsonRpcError(requestIdOf(request.body), JsonRpcErrorCode.InternalError, 'Internal server error'));
    }
    return reply.code(status).send(clientError(status, error));
  });
}

function clientError(status: number, error: FastifyError) {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return jsonRpcError(null, JsonRpcErrorCode.ParseError, 'Parse error: the request body is not valid JSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return jsonRpcError(null, JsonRpcErrorCode.ServerError, 'Request body too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return jsonRpcError(
        null,
        JsonRpcErrorCode.ServerError,
        'Unsupported Media Type: Content-Type must be application/json',
      );
    default:
      return jsonRpcError(
        null,
        status === 404 ? JsonRpcErrorCode.ServerError : JsonRpcErrorCode.InvalidRequest,
        error.message,
      );
  }
}

/**
 * The `charset` parameters of a Content-Type (RFC 9110 §8.3.1: parameter names are case-insensitive, values may be
 * quoted strings; charset values are case-insensitive), lower-cased. Every one is returned, so that a repeated
 * parameter cannot hide a second charset behind an accepted first one.
 */
function charsetsOf(contentType: string | undefined): string[] {
  const charsets: string[] = [];
  if (contentType === undefined) return charsets;
  for (const parameter of contentType.split(';').slice(1)) {
    const separator = parameter.indexOf('=');
    if (separator < 0) continue;
    if (parameter.slice(0, separator).trim().toLowerCase() !== 'charset') continue;
    let value = parameter.slice(separator + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    }
    charsets.push(value.toLowerCase());
  }
  return charsets;
}

function normalizeOrigin(origin: string): string | null {
  try {
    const url = new URL(origin);
    // Opaque origins ("null", file:, data:) serialize as "null" and are never allowed.
    return url.origin === 'null' ? null : url.origin;
  } catch {
    return null;
  }
}
