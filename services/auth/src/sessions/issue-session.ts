import { randomUUID } from 'node:crypto';
import type { authV1 } from '@fintech/contracts';
import { randomToken, scopesForRole, sha256Hex } from '@fintech/kit';
import { sessions } from '../db/session-repository';
import type { AuthDeps, Tx } from '../deps';

export interface IssuedSession {
  sessionId: string;
  token: string;
  refreshToken: string;
  expiresIn: number;
}

/** Refresh tokens are opaque random strings; only their SHA-256 is stored. */
function newRefreshToken(): string {
  return `rt_${randomToken(32)}`;
}

/**
 * Issues an access token and a refresh token for a user. Without `sessionId` this is a new sign-in: a new session
 * (refresh-token family) starts. The access token names its session in `sid` (OpenID Connect Front-Channel Logout
 * §3 uses the same claim), so a revocation of the session reaches the access tokens too.
 */
export async function issueSession(
  deps: AuthDeps,
  tx: Tx,
  user: { id: string; role: string },
  sessionId?: string,
): Promise<IssuedSession> {
  const id = sessionId ?? randomUUID();
  if (!sessionId) await sessions.create(tx, { id, userId: user.id });
  const refreshToken = newRefreshToken();
  await sessions.addRefreshToken(tx, {
    id: randomUUID(),
    familyId: id,
    userId: user.id,
    tokenHash: sha256Hex(refreshToken),
    expiresAt: new Date(deps.now().getTime() + deps.config.REFRESH_TOKEN_TTL_SECONDS * 1000),
  });
  const token = await deps.tokens.accessToken({
    id: user.id,
    role: user.role,
    scopes: scopesForRole(user.role),
    sessionId: id,
  });
  return { sessionId: id, token, refreshToken, expiresIn: deps.tokens.accessTtlSeconds };
}

/** A completed sign-in as both sign-in steps answer it. */
export function authenticated(userId: string, session: IssuedSession): authV1.AuthenticateUserResponse {
  return {
    status: 'authenticated',
    token: session.token,
    refresh_token: session.refreshToken,
    token_type: 'Bearer',
    expires_in: session.expiresIn,
    user_id: userId,
  };
}
