import { OAuthError, OAuthErrorCode } from '@modelcontextprotocol/server';
import type { AuthInfo, JSONRPCMessage } from '@modelcontextprotocol/server';
import type { FastifyRequest } from 'fastify';

import { jsonRpcErrorsFor, JsonRpcErrorCode } from '../http/json-rpc-error';
import type { JsonRpcErrorBody } from '../http/json-rpc-error';

export interface AuthGateOptions {
  authenticate: (request: FastifyRequest) => Promise<AuthInfo | null>;
  allowAnonymous: (message: JSONRPCMessage) => boolean;
  resourceMetadataUrl: string;
}

export type GateResult =
  | { ok: true; authInfo: AuthInfo | undefined }
  | { ok: false; status: number; headers: Record<string, string>; body: JsonRpcErrorBody | JsonRpcErrorBody[] };

/**
 * Decides who sends a POSTed body before any MCP server sees it.
 *
 * - A credential `authenticate` accepts makes its AuthInfo the caller.
 * - No credential: allowed only when `allowAnonymous` holds for every message of the body (a batch is as strong as
 *   its weakest message); otherwise 401 with the RFC 9728 §5.1 challenge naming the protected-resource metadata, so
 *   an OAuth-capable client can find where to sign in.
 * - A rejected credential (authenticate throws): 401 `error="invalid_token"` (RFC 6750 §3.1). An `OAuthError` coded
 *   `temporarily_unavailable` or `server_error` means the verifier could not decide, and answers 503 instead, so
 *   that clients do not throw away a token that may be good.
 */
export async function gateCaller(
  request: FastifyRequest,
  body: unknown,
  options: AuthGateOptions,
): Promise<GateResult> {
  const credential = await verifyCredential(request, body, options);
  if (!credential.ok || credential.authInfo !== undefined) return credential;

  const messages = Array.isArray(body) ? body : [body];
  const anonymousAllowed =
    messages.length > 0 && messages.every((m) => isJsonRpcShaped(m) && options.allowAnonymous(m));
  if (anonymousAllowed) return { ok: true, authInfo: undefined };
  return {
    ok: false,
    status: 401,
    headers: { 'WWW-Authenticate': bearerChallenge({ resource_metadata: options.resourceMetadataUrl }) },
    body: jsonRpcErrorsFor(body, JsonRpcErrorCode.Unauthorized, 'Unauthorized: this request needs a credential'),
  };
}

/** Resolves the request's credential, if it carries one: `authInfo` undefined means anonymous. */
export async function verifyCredential(
  request: FastifyRequest,
  body: unknown,
  options: Pick<AuthGateOptions, 'authenticate' | 'resourceMetadataUrl'>,
): Promise<GateResult> {
  try {
    const authInfo = await options.authenticate(request);
    return { ok: true, authInfo: authInfo ?? undefined };
  } catch (error) {
    if (
      error instanceof OAuthError &&
      (error.code === OAuthErrorCode.TemporarilyUnavailable || error.code === OAuthErrorCode.ServerError)
    ) {
      request.log.warn({ err: error }, 'credential could not be verified');
      return {
        ok: false,
        status: 503,
        headers: { 'Retry-After': '5' },
        body: jsonRpcErrorsFor(
          body,
          JsonRpcErrorCode.ServerError,
          'Credential verification is unavailable, retry later',
        ),
      };
    }
    return {
      ok: false,
      status: 401,
      headers: {
        'WWW-Authenticate': bearerChallenge({
          error: 'invalid_token',
          error_description: 'The access token is invalid or expired',
          resource_metadata: options.resourceMetadataUrl,
        }),
      },
      body: jsonRpcErrorsFor(body, JsonRpcErrorCode.Unauthorized, 'Unauthorized: invalid credential'),
    };
  }
}

/** A `Bearer` challenge (RFC 6750 §3) with quoted-string parameters. */
export function bearerChallenge(params: Record<string, string>): string {
  const rendered = Object.entries(params).map(([name, value]) => `${name}="${value.replace(/["\\]/g, '\\$&')}"`);
  return `Bearer ${rendered.join(', ')}`;
}

function isJsonRpcShaped(value: unknown): value is JSONRPCMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (value as { jsonrpc?: unknown }).jsonrpc === '2.0'
  );
}
