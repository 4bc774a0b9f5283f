import { subjects, type authV1 } from '@fintech/contracts';
import { UnauthenticatedError, ValidationError, sha256Hex, type CallContext, clientInfo } from '@fintech/kit';
import { mfaChallenges } from '../db/mfa-challenge-repository';
import type { AuthDeps } from '../deps';
import { publishEvents, publishEventsNow } from '../events/auth-events';
import { countAttempt } from '../lockout/count-attempt';
import { consumeTotpCode } from '../mfa/consume-totp-code';
import { authenticated, issueSession } from '../sessions/issue-session';

/** Wrong codes allowed against one challenge before it is spent. */
const MAX_CHALLENGE_ATTEMPTS = 5;

const CHALLENGE_INVALID = 'MFA challenge is invalid or expired; sign in again';

export function createVerifyMfa(deps: AuthDeps) {
  return async function verifyMfa(
    request: authV1.VerifyMfaRequest,
    context: CallContext,
  ): Promise<authV1.VerifyMfaResponse> {
    if (!/^[0-9]{6}$/.test(request.code)) throw new ValidationError('code must be 6 digits', 'code');
    const client = clientInfo(context.metadata);
    const challenge = await mfaChallenges.findByHash(deps.prisma, sha256Hex(request.challenge));
    if (!challenge) throw new UnauthenticatedError(CHALLENGE_INVALID, 'MFA_CHALLENGE_INVALID');
    const user = challenge.user;

    // Both counts are taken before the code is checked, each by one conditional statement: concurrent codes get
    // at most MAX_CHALLENGE_ATTEMPTS evaluations per challenge and, with passwords, MAX_FAILED_SIGN_INS per run.
    if (!(await mfaChallenges.countAttempt(deps.prisma, challenge.id, deps.now(), MAX_CHALLENGE_ATTEMPTS))) {
      throw new UnauthenticatedError(CHALLENGE_INVALID, 'MFA_CHALLENGE_INVALID');
    }
    const attempt = await countAttempt(deps, user.id, client, 'sign_in');

    const outcome = await deps.prisma.$transaction(async (tx) => {
      const check = await consumeTotpCode(deps, tx, user, request.code);
      if (!check.ok) return { ok: false as const, reason: check.reason };
      if (!(await mfaChallenges.consume(tx, challenge.id, deps.now()))) {
        return { ok: false as const, reason: 'replayed' as const };
      }
      await deps.users.clearAttempts(tx, user.id, attempt);
      const session = await issueSession(deps, tx, user);
      await publishEvents(deps, tx, [
        { type: subjects.auth.userSignedIn, userId: user.id, data: { user_id: user.id, mfa: true, client } },
      ]);
      return { ok: true as const, session };
    });

    if (outcome.ok) {
      deps.eventsCommitted();
      return authenticated(user.id, outcome.session);
    }

    // The attempt stays counted, towards the challenge and, like a wrong password, the account lockout.
    await publishEventsNow(deps, [
      {
        type: subjects.auth.userSignInFailed,
        userId: user.id,
        data: {
          user_id: user.id,
          reason: 'invalid_mfa_code',
          failed_attempts: attempt.count,
          locked_until: attempt.lockedUntil?.toISOString() ?? null,
          client,
        },
      },
    ]);
    throw new UnauthenticatedError(
      outcome.reason === 'replayed' ? 'this code was already used; wait for the next one' : 'invalid code',
      'INVALID_MFA_CODE',
    );
  };
}
