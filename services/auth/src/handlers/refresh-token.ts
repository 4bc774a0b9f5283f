import type { authV1 } from '@fintech/contracts';
import { UnauthenticatedError, sha256Hex } from '@fintech/kit';
import { sessions } from '../db/session-repository';
import type { AuthDeps } from '../deps';
import { issueSession } from '../sessions/issue-session';
import { revokeSession } from '../sessions/revoke-session';

/** Says exactly what reuse does (see revokeSession), so the person knows their other tokens stop too. */
export const REUSE_MESSAGE =
  'refresh token already used, so it may have been stolen: the sign-in it belongs to is revoked — its refresh ' +
  'tokens no longer work and its access tokens are refused within seconds; sign in again';

/**
 * Refresh token rotation with reuse detection (OAuth 2.0 Security BCP, RFC 9700 §4.14.2): each token works once;
 * presenting a spent one means it leaked, so the whole session — including the newest refresh token and every
 * access token issued from it — is revoked.
 */
export function createRefreshToken(deps: AuthDeps) {
  return async function refreshToken(request: authV1.RefreshTokenRequest): Promise<authV1.RefreshTokenResponse> {
    const now = deps.now();
    const stored = await sessions.findRefreshToken(deps.prisma, sha256Hex(request.refresh_token));
    if (!stored) throw new UnauthenticatedError('invalid refresh token', 'INVALID_REFRESH_TOKEN');

    const reused = async (): Promise<never> => {
      await revokeSession(deps, { id: stored.familyId, userId: stored.userId }, 'refresh_token_reused');
      throw new UnauthenticatedError(REUSE_MESSAGE, 'REFRESH_TOKEN_REUSED');
    };

    if (stored.revokedAt || stored.session.revokedAt) {
      throw new UnauthenticatedError('refresh token revoked; sign in again', 'INVALID_REFRESH_TOKEN');
    }
    if (stored.usedAt) return reused();
    if (stored.expiresAt.getTime() <= now.getTime()) {
      throw new UnauthenticatedError('refresh token expired; sign in again', 'INVALID_REFRESH_TOKEN');
    }

    const session = await deps.prisma.$transaction(async (tx) => {
      // The session row first (a revocation updates it too, so the two serialise), then the token: of two
      // concurrent refreshes with one token only one spends it.
      if (!(await sessions.touch(tx, stored.familyId, now))) return 'revoked' as const;
      if (!(await sessions.spendRefreshToken(tx, stored.id, now))) return 'spent' as const;
      return issueSession(deps, tx, stored.user, stored.familyId);
    });
    if (session === 'revoked') {
      throw new UnauthenticatedError('refresh token revoked; sign in again', 'INVALID_REFRESH_TOKEN');
    }
    if (session === 'spent') return reused();
    return {
      token: session.token,
      refresh_token: session.refreshToken,
      token_type: 'Bearer',
      expires_in: session.expiresIn,
    };
  };
}
