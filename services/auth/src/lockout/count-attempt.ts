import { subjects, type ClientInfo } from '@fintech/contracts';
import { DomainError, UnauthenticatedError } from '@fintech/kit';
import type { CountedAttempt, LockoutPolicy } from '../domain/lockout';
import type { AuthDeps } from '../deps';
import { publishEventsNow } from '../events/auth-events';

const LOCKED_MESSAGE = 'account temporarily locked after repeated failed attempts; try again later';

export function lockoutPolicy(deps: Pick<AuthDeps, 'config'>): LockoutPolicy {
  return { maxFailures: deps.config.MAX_FAILED_SIGN_INS, lockoutSeconds: deps.config.LOCKOUT_SECONDS };
}

/**
 * Counts an attempt (password or one-time code) before it is evaluated. When the account is locked nothing is
 * evaluated: the refusal is published (fraud scanning sees it) and thrown — as UNAUTHENTICATED during sign-in, as
 * FAILED_PRECONDITION for a step-up, whose caller is signed in already.
 */
export async function countAttempt(
  deps: AuthDeps,
  userId: string,
  client: ClientInfo | null,
  during: 'sign_in' | 'step_up',
): Promise<CountedAttempt> {
  const attempt = await deps.users.countAttempt(deps.prisma, userId, deps.now(), lockoutPolicy(deps));
  if (attempt) return attempt;
  const state = await deps.users.findById(deps.prisma, userId);
  if (client) {
    await publishEventsNow(deps, [
      {
        type: subjects.auth.userSignInFailed,
        userId,
        data: {
          user_id: userId,
          reason: 'locked',
          failed_attempts: state?.failedSignIns ?? 0,
          locked_until: state?.lockedUntil?.toISOString() ?? null,
          client,
        },
      },
    ]);
  }
  if (during === 'step_up') throw new DomainError('ACCOUNT_LOCKED', LOCKED_MESSAGE);
  throw new UnauthenticatedError(LOCKED_MESSAGE, 'ACCOUNT_LOCKED');
}
