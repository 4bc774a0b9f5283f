import type { authV1 } from '@fintech/contracts';
import { UnauthenticatedError, sha256Hex } from '@fintech/kit';
import type { AuthDeps } from '../deps';
import { issueSession } from './session';

/**
 * Refresh token rotation with reuse detection (OAuth 2.0 Security BCP, RFC 9700 §4.14.2): each token works once;
 * presenting a spent one means it leaked, so the whole family — including the newest token — is revoked.
 */
export function createRefreshToken(deps: AuthDeps) {
  return async function refreshToken(request: authV1.RefreshTokenRequest): Promise<authV1.RefreshTokenResponse> {
    const now = deps.now();
    const stored = await deps.prisma.refreshToken.findUnique({
      where: { tokenHash: sha256Hex(request.refresh_token) },
      include: { user: true },
    });
    if (!stored) throw new UnauthenticatedError('invalid refresh token', 'INVALID_REFRESH_TOKEN');

    const revokeFamily = async (): Promise<never> => {
      await deps.prisma.refreshToken.updateMany({
        where: { familyId: stored.familyId, revokedAt: null },
        data: { revokedAt: now },
      });
      deps.logger.warn({ userId: stored.userId, familyId: stored.familyId }, 'refresh token reuse: family revoked');
      throw new UnauthenticatedError(
        'refresh token already used; every session from this sign-in was revoked, sign in again',
        'REFRESH_TOKEN_REUSED',
      );
    };

    if (stored.revokedAt)
      throw new UnauthenticatedError('refresh token revoked; sign in again', 'INVALID_REFRESH_TOKEN');
    if (stored.usedAt) return revokeFamily();
    if (stored.expiresAt.getTime() <= now.getTime()) {
      throw new UnauthenticatedError('refresh token expired; sign in again', 'INVALID_REFRESH_TOKEN');
    }

    const session = await deps.prisma.$transaction(async (tx) => {
      // Claim the token in one conditional update: of two concurrent refreshes only one wins.
      const claimed = await tx.refreshToken.updateMany({
        where: { id: stored.id, usedAt: null, revokedAt: null },
        data: { usedAt: now },
      });
      if (claimed.count !== 1) return null;
      return issueSession(deps, tx, stored.user, stored.familyId);
    });
    if (!session) return revokeFamily();
    return {
      token: session.token,
      refresh_token: session.refreshToken,
      token_type: 'Bearer',
      expires_in: session.expiresIn,
    };
  };
}
