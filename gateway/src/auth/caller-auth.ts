import type { FastifyRequest } from 'fastify';
import type { AuthInfo } from '@modelcontextprotocol/server';
import type { authV1 } from '@fintech/contracts';
import {
  ACCESS_TOKEN_TYPE,
  RemoteCallError,
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
  /**
   * Refuses the access tokens of a revoked session (claim `sid`) from now until `untilMs` (when they have all
   * expired), and drops the internal tokens exchanged for them.
   */
  revokeSession(sessionId: string, untilMs: number): void;
}

/** The session an access token belongs to, carried in AuthInfo.extra beside the caller. */
interface TokenExtra extends CallerInfo {
  sessionId: string | null;
}

/**
 * Verifies callers' access tokens locally (EdDSA, JWKS of the auth service, cached) and exchanges each for an
 * internal token once (cached until shortly before it expires). The caller's own token never reaches a service:
 * MCP's authorization spec forbids token passthrough.
 *
 * Revocation: a local signature check cannot see that a session was revoked, so the gateway keeps the revoked
 * sessions it has been told of (the auth service's `fintech.auth.session.revoked` events, see
 * session-revocations.ts, or an exchange the auth service refused with SESSION_REVOKED) and refuses their tokens
 * as invalid (401) until they would have expired anyway.
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
  /** Session id → the access tokens exchanged for it (keys of `exchanged`), so a revocation finds them. */
  const tokensOfSession = new Map<string, Set<string>>();
  /** Session id → when its last access token expires (ms); until then its tokens are refused. */
  const revoked = new Map<string, number>();

  const isRevoked = (sessionId: string | null, now: number): boolean => {
    if (sessionId === null) return false;
    const until = revoked.get(sessionId);
    if (until === undefined) return false;
    if (until > now) return true;
    revoked.delete(sessionId);
    return false;
  };

  const forget = (token: string, sessionId: string | null): void => {
    exchanged.delete(token);
    if (sessionId === null) return;
    const tokens = tokensOfSession.get(sessionId);
    tokens?.delete(token);
    if (tokens?.size === 0) tokensOfSession.delete(sessionId);
  };

  function revokeSession(sessionId: string, untilMs: number): void {
    const now = Date.now();
    if (untilMs > now) revoked.set(sessionId, Math.max(untilMs, revoked.get(sessionId) ?? 0));
    for (const token of tokensOfSession.get(sessionId) ?? []) exchanged.delete(token);
    tokensOfSession.delete(sessionId);
    if (revoked.size > 100_000) {
      for (const [id, until] of revoked) if (until <= now) revoked.delete(id);
    }
  }

  return {
    async authenticate(request) {
      const header = request.headers.authorization;
      if (!header) return null;
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new Error('authorization header must be a Bearer token');
      const token = match[1]!;
      const claims = await verifier.verify(token);
      const sessionId = typeof claims.sid === 'string' ? claims.sid : null;
      // RFC 6750 §3.1: a revoked token is an invalid token (401), like an expired one.
      if (isRevoked(sessionId, Date.now())) throw new Error('the session of this access token was revoked');
      const scopes = String(claims.scope ?? '')
        .split(' ')
        .filter(Boolean);
      const userAgent = request.headers['user-agent'];
      const extra: TokenExtra = {
        userId: String(claims.sub),
        role: String(claims.role ?? 'customer'),
        ip: request.ip ?? null,
        userAgent: typeof userAgent === 'string' ? userAgent : null,
        sessionId,
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
      const sessionId = (authInfo.extra as unknown as TokenExtra | undefined)?.sessionId ?? null;
      const cached = exchanged.get(authInfo.token);
      if (cached && cached.expiresAt - renewBeforeMs > now) return cached.token;
      if (exchanged.size > 50_000) {
        for (const [key, value] of exchanged) if (value.expiresAt <= now) exchanged.delete(key);
        for (const [id, tokens] of tokensOfSession) {
          for (const token of tokens) if (!exchanged.has(token)) tokens.delete(token);
          if (tokens.size === 0) tokensOfSession.delete(id);
        }
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
      entry.token.catch((error: unknown) => {
        forget(authInfo.token, sessionId);
        // The auth service knew of the revocation before this replica did: refuse the session's tokens from now on.
        if (sessionId !== null && error instanceof RemoteCallError && error.reason === 'SESSION_REVOKED') {
          revokeSession(sessionId, (authInfo.expiresAt ?? 0) * 1000);
        }
      });
      exchanged.set(authInfo.token, entry);
      if (sessionId !== null) {
        let tokens = tokensOfSession.get(sessionId);
        if (!tokens) tokensOfSession.set(sessionId, (tokens = new Set()));
        tokens.add(authInfo.token);
      }
      return entry.token;
    },

    revokeSession,
  };
}
