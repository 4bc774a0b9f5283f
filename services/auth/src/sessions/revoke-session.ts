import { subjects, type SessionRevoked } from '@fintech/contracts';
import { sessions } from '../db/session-repository';
import type { AuthDeps } from '../deps';
import { publishEvents } from '../events/auth-events';

/**
 * Revokes a session: its refresh tokens stop at once (same transaction), ExchangeToken refuses its access tokens
 * from the commit on, and `fintech.auth.session.revoked` tells every gateway replica to drop what it cached for the
 * session, so its access tokens are refused within seconds instead of when they expire. Every path that ends a
 * sign-in goes through here. Returns false when the session was revoked already (no second event).
 */
export async function revokeSession(
  deps: AuthDeps,
  session: { id: string; userId: string },
  reason: SessionRevoked['reason'],
): Promise<boolean> {
  const now = deps.now();
  const revoked = await deps.prisma.$transaction(async (tx) => {
    if (!(await sessions.revoke(tx, session.id, now, reason))) return false;
    await publishEvents(deps, tx, [
      {
        type: subjects.auth.sessionRevoked,
        userId: session.userId,
        data: {
          user_id: session.userId,
          session_id: session.id,
          reason,
          revoked_at: now.toISOString(),
          // No access token of the session is issued after this, so none outlives it by more than its lifetime
          // (`exp` is set by the signer from the wall clock, hence Date.now rather than the service's clock).
          access_tokens_expire_by: new Date(Date.now() + deps.tokens.accessTtlSeconds * 1000).toISOString(),
        },
      },
    ]);
    return true;
  });
  if (revoked) {
    deps.eventsCommitted();
    deps.logger.warn({ userId: session.userId, sessionId: session.id, reason }, 'session revoked');
  }
  return revoked;
}
