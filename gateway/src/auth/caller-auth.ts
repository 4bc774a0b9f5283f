import type { FastifyRequest } from 'fastify';
import type { AuthInfo } from '@modelcontextprotocol/server';
import type { authV1 } from '@fintech/contracts';
import {
  ACCESS_TOKEN_TYPE,
  createJwksCache,
  createTokenVerifier,
  type CallOptions,
  type TokenVerifier,
} from '@fintech/kit';
import type { JSONWebKeySet } from 'jose';

/** What the gateway keeps about a verified caller, carried in AuthInfo.extra. */
export interface CallerInfo {
  userId: string;
  role: string;
  ip: string | null;
  userAgent: string | null;
}

export function callerOf(authInfo: AuthInfo | undefined): (CallerInfo & { scopes: Set<string> }) | null {
  const extra = authInfo?.extra as unknown as CallerInfo | undefined;
  if (!authInfo || !extra?.userId) return null;
  return { ...extra, scopes: new Set(authInfo.scopes) };
}

export interface GatewayAuthOptions {
  auth: authV1.AuthServiceClient<CallOptions>;
  fetchJwks: () => Promise<JSONWebKeySet>;
  issuer: string;
  /** The gateway's own audience: access tokens for anyone else are refused. */
  audience: string;
  /** Internal tokens are renewed this long before they expire. */
  renewBeforeMs?: number;
}

export interface GatewayAuth {
  /** The caller of an HTTP request (Bearer access token), null when there is none; throws on an invalid token. */
  authenticate(request: FastifyRequest): Promise<AuthInfo | null>;
  /** The internal token for a verified caller, exchanged once and reused for its lifetime. */
  internalToken(authInfo: AuthInfo): Promise<string>;
}

/**
 * Verifies callers' access tokens locally (EdDSA, JWKS of the auth service, cached) and exchanges each for an
 * internal token once (cached until shortly before it expires). The caller's own token never reaches a service:
 * MCP's authorization spec forbids token passthrough.
 */
export function createGatewayAuth(options: GatewayAuthOptions): GatewayAuth {
  const jwks = createJwksCache({ fetchJwks: options.fetchJwks });
  const verifier: TokenVerifier = createTokenVerifier({
    getKey: jwks.getKey,
    issuer: options.issuer,
    audience: options.audience,
    typ: ACCESS_TOKEN_TYPE,
  });
  const renewBeforeMs = options.renewBeforeMs ?? 30_000;
  const exchanged = new Map<string, { token: Promise<string>; expiresAt: number }>();

  return {
    async authenticate(request) {
      const header = request.headers.authorization;
      if (!header) return null;
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new Error('authorization header must be a Bearer token');
      const token = match[1]!;
      const claims = await verifier.verify(token);
      const scopes = String(claims.scope ?? '')
        .split(' ')
        .filter(Boolean);
      const userAgent = request.headers['user-agent'];
      const extra: CallerInfo = {
        userId: String(claims.sub),
        role: String(claims.role ?? 'customer'),
        ip: request.ip ?? null,
        userAgent: typeof userAgent === 'string' ? userAgent : null,
      };
      return {
        token,
        clientId: String(claims.client_id ?? claims.sub),
        scopes,
        expiresAt: typeof claims.exp === 'number' ? claims.exp : undefined,
        extra: extra as unknown as Record<string, unknown>,
      };
    },

    internalToken(authInfo) {
      const now = Date.now();
      const cached = exchanged.get(authInfo.token);
      if (cached && cached.expiresAt - renewBeforeMs > now) return cached.token;
      if (exchanged.size > 50_000) {
        for (const [key, value] of exchanged) if (value.expiresAt <= now) exchanged.delete(key);
      }
      const entry = {
        expiresAt: now + 60_000,
        token: options.auth
          .exchangeToken({ subject_token: authInfo.token, subject_token_type: 'access_token' })
          .then((response) => {
            entry.expiresAt = Date.now() + response.expires_in * 1000;
            return response.internal_token;
          }),
      };
      entry.token.catch(() => exchanged.delete(authInfo.token));
      exchanged.set(authInfo.token, entry);
      return entry.token;
    },
  };
}
