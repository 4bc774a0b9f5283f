import { randomUUID } from 'node:crypto';
import type { authV1 } from '@fintech/contracts';
import { randomToken, scopesForRole, sha256Hex } from '@fintech/kit';
import type { AuthDeps, Tx } from '../deps';

/** Refresh tokens are opaque random strings; only their SHA-256 is stored. */
export function newRefreshToken(): string {
  return `rt_${randomToken(32)}`;
}

/**
 * Issues an access token and a refresh token for a user. `familyId` continues a rotation chain; a new sign-in
 * starts a new family.
 */
export async function issueSession(
  deps: AuthDeps,
  tx: Tx,
  user: { id: string; role: string },
  familyId: string = randomUUID(),
): Promise<{ token: string; refreshToken: string; expiresIn: number }> {
  const refreshToken = newRefreshToken();
  await tx.refreshToken.create({
    data: {
      id: randomUUID(),
      familyId,
      userId: user.id,
      tokenHash: sha256Hex(refreshToken),
      expiresAt: new Date(deps.now().getTime() + deps.config.REFRESH_TOKEN_TTL_SECONDS * 1000),
    },
  });
  const token = await deps.tokens.accessToken({ id: user.id, role: user.role, scopes: scopesForRole(user.role) });
  return { token, refreshToken, expiresIn: deps.tokens.accessTtlSeconds };
}

export function authenticated(
  userId: string,
  session: { token: string; refreshToken: string; expiresIn: number },
): authV1.AuthenticateUserResponse {
  return {
    status: 'authenticated',
    token: session.token,
    refresh_token: session.refreshToken,
    token_type: 'Bearer',
    expires_in: session.expiresIn,
    user_id: userId,
  };
}
