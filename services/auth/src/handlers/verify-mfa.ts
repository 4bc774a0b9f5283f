import { subjects, type authV1, type UserSignInFailed } from '@fintech/contracts';
import { UnauthenticatedError, ValidationError, sha256Hex, type CallContext, clientInfo } from '@fintech/kit';
import { afterFailedSignIn, isLocked } from '../domain/lockout';
import { emit, type AuthDeps } from '../deps';
import { consumeTotpCode } from './mfa-code';
import { authenticated, issueSession } from './session';

/** Wrong codes allowed against one challenge before it is spent. */
const MAX_CHALLENGE_ATTEMPTS = 5;

export function createVerifyMfa(deps: AuthDeps) {
  return async function verifyMfa(
    request: authV1.VerifyMfaRequest,
    context: CallContext,
  ): Promise<authV1.AuthenticateUserResponse> {
    if (!/^[0-9]{6}$/.test(request.code)) throw new ValidationError('code must be 6 digits', 'code');
    const client = clientInfo(context.metadata);
    const now = deps.now();
    const challenge = await deps.prisma.mfaChallenge.findUnique({
      where: { challengeHash: sha256Hex(request.challenge) },
      include: { user: true },
    });
    if (
      !challenge ||
      challenge.consumedAt ||
      challenge.expiresAt.getTime() <= now.getTime() ||
      challenge.attempts >= MAX_CHALLENGE_ATTEMPTS
    ) {
      throw new UnauthenticatedError('MFA challenge is invalid or expired; sign in again', 'MFA_CHALLENGE_INVALID');
    }
    const user = challenge.user;
    if (isLocked(user.lockedUntil, now)) {
      throw new UnauthenticatedError('account temporarily locked; try again later', 'ACCOUNT_LOCKED');
    }

    const outcome = await deps.prisma.$transaction(async (tx) => {
      const check = await consumeTotpCode(deps, tx, user, request.code);
      if (!check.ok) return { ok: false as const, reason: check.reason };
      const spent = await tx.mfaChallenge.updateMany({
        where: { id: challenge.id, consumedAt: null },
        data: { consumedAt: now },
      });
      if (spent.count !== 1) return { ok: false as const, reason: 'replayed' as const };
      const session = await issueSession(deps, tx, user);
      await emit(deps, tx, [
        { type: subjects.auth.userSignedIn, userId: user.id, data: { user_id: user.id, mfa: true, client } },
      ]);
      return { ok: true as const, session };
    });

    if (outcome.ok) {
      deps.eventsCommitted();
      return authenticated(user.id, outcome.session);
    }

    // A wrong code counts against the challenge and, like a wrong password, towards the account lockout.
    const next = afterFailedSignIn(user.failedSignIns, now, {
      maxFailures: deps.config.MAX_FAILED_SIGN_INS,
      lockoutSeconds: deps.config.LOCKOUT_SECONDS,
    });
    await deps.prisma.$transaction(async (tx) => {
      await tx.mfaChallenge.update({ where: { id: challenge.id }, data: { attempts: { increment: 1 } } });
      await tx.user.update({ where: { id: user.id }, data: next });
      await emit(deps, tx, [
        {
          type: subjects.auth.userSignInFailed,
          userId: user.id,
          data: {
            user_id: user.id,
            reason: 'invalid_mfa_code',
            failed_attempts: next.lockedUntil ? deps.config.MAX_FAILED_SIGN_INS : next.failedSignIns,
            locked_until: next.lockedUntil?.toISOString() ?? null,
            client,
          } satisfies UserSignInFailed,
        },
      ]);
    });
    deps.eventsCommitted();
    throw new UnauthenticatedError(
      outcome.reason === 'replayed' ? 'this code was already used; wait for the next one' : 'invalid code',
      'INVALID_MFA_CODE',
    );
  };
}
