import { randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { subjects, type authV1 } from '@fintech/contracts';
import { UnauthenticatedError, randomToken, sha256Hex, type CallContext, clientInfo } from '@fintech/kit';
import { ARGON2_PARAMETERS, normalizeEmail } from '../domain/credentials';
import { mfaChallenges } from '../db/mfa-challenge-repository';
import type { AuthDeps } from '../deps';
import { publishEvents, publishEventsNow } from '../events/auth-events';
import { countAttempt } from '../lockout/count-attempt';
import { authenticated, issueSession } from '../sessions/issue-session';

const INVALID = 'invalid email or password';

/** Hash compared against when no user matches, so an unknown email costs as long as a wrong password. */
let decoyHash: Promise<string> | null = null;

export function createAuthenticateUser(deps: AuthDeps) {
  decoyHash ??= hash(randomToken(16), ARGON2_PARAMETERS);

  return async function authenticateUser(
    request: authV1.AuthenticateUserRequest,
    context: CallContext,
  ): Promise<authV1.AuthenticateUserResponse> {
    const email = normalizeEmail(request.username);
    const client = clientInfo(context.metadata);
    const user = await deps.users.findByEmail(deps.prisma, email);

    if (!user) {
      await verify(await decoyHash!, request.password).catch(() => false);
      await publishEventsNow(deps, [
        {
          type: subjects.auth.userSignInFailed,
          userId: null,
          data: { user_id: null, reason: 'unknown_user', failed_attempts: 0, locked_until: null, client },
        },
      ]);
      throw new UnauthenticatedError(INVALID);
    }

    // Counted before the (slow) argon2 check, so concurrent guesses cannot all pass a "not locked" check first.
    const attempt = await countAttempt(deps, user.id, client, 'sign_in');
    const passwordOk = await verify(user.passwordHash, request.password).catch(() => false);
    if (!passwordOk) {
      await publishEventsNow(deps, [
        {
          type: subjects.auth.userSignInFailed,
          userId: user.id,
          data: {
            user_id: user.id,
            reason: 'invalid_credentials',
            failed_attempts: attempt.count,
            locked_until: attempt.lockedUntil?.toISOString() ?? null,
            client,
          },
        },
      ]);
      throw new UnauthenticatedError(INVALID);
    }

    if (user.mfaEnabled) {
      const challenge = `mfa_${randomToken(32)}`;
      await deps.prisma.$transaction(async (tx) => {
        await deps.users.releaseOwnLock(tx, user.id, attempt);
        await mfaChallenges.create(tx, {
          id: randomUUID(),
          userId: user.id,
          challengeHash: sha256Hex(challenge),
          expiresAt: new Date(deps.now().getTime() + deps.config.MFA_CHALLENGE_TTL_SECONDS * 1000),
        });
      });
      return {
        status: 'mfa_required',
        token: '',
        refresh_token: '',
        token_type: '',
        expires_in: 0,
        mfa_challenge: challenge,
        user_id: user.id,
      };
    }

    const session = await deps.prisma.$transaction(async (tx) => {
      await deps.users.clearAttempts(tx, user.id, attempt);
      const issued = await issueSession(deps, tx, user);
      await publishEvents(deps, tx, [
        { type: subjects.auth.userSignedIn, userId: user.id, data: { user_id: user.id, mfa: false, client } },
      ]);
      return issued;
    });
    deps.eventsCommitted();
    return authenticated(user.id, session);
  };
}
