import { randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { subjects, type authV1, type UserSignInFailed } from '@fintech/contracts';
import { UnauthenticatedError, randomToken, sha256Hex, type CallContext, clientInfo } from '@fintech/kit';
import { ARGON2_PARAMETERS, normalizeEmail } from '../domain/credentials';
import { afterFailedSignIn, isLocked } from '../domain/lockout';
import { emit, type AuthDeps } from '../deps';
import { authenticated, issueSession } from './session';

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
    const now = deps.now();
    const user = await deps.users.findByEmail(deps.prisma, email);

    const failed = async (data: UserSignInFailed, message: string, reason = 'UNAUTHENTICATED'): Promise<never> => {
      await deps.prisma.$transaction((tx) =>
        emit(deps, tx, [{ type: subjects.auth.userSignInFailed, userId: data.user_id, data }]),
      );
      deps.eventsCommitted();
      throw new UnauthenticatedError(message, reason);
    };

    if (!user) {
      await verify(await decoyHash!, request.password).catch(() => false);
      return failed({ user_id: null, reason: 'unknown_user', failed_attempts: 0, locked_until: null, client }, INVALID);
    }
    if (isLocked(user.lockedUntil, now)) {
      return failed(
        {
          user_id: user.id,
          reason: 'locked',
          failed_attempts: user.failedSignIns,
          locked_until: user.lockedUntil!.toISOString(),
          client,
        },
        'account temporarily locked after repeated failed sign-ins; try again later',
        'ACCOUNT_LOCKED',
      );
    }

    const passwordOk = await verify(user.passwordHash, request.password).catch(() => false);
    if (!passwordOk) {
      const next = afterFailedSignIn(user.failedSignIns, now, {
        maxFailures: deps.config.MAX_FAILED_SIGN_INS,
        lockoutSeconds: deps.config.LOCKOUT_SECONDS,
      });
      await deps.prisma.$transaction(async (tx) => {
        await tx.user.update({ where: { id: user.id }, data: next });
        await emit(deps, tx, [
          {
            type: subjects.auth.userSignInFailed,
            userId: user.id,
            data: {
              user_id: user.id,
              reason: 'invalid_credentials',
              failed_attempts: next.lockedUntil ? deps.config.MAX_FAILED_SIGN_INS : next.failedSignIns,
              locked_until: next.lockedUntil?.toISOString() ?? null,
              client,
            } satisfies UserSignInFailed,
          },
        ]);
      });
      deps.eventsCommitted();
      throw new UnauthenticatedError(INVALID);
    }

    if (user.mfaEnabled) {
      const challenge = `mfa_${randomToken(32)}`;
      await deps.prisma.$transaction(async (tx) => {
        await tx.user.update({ where: { id: user.id }, data: { failedSignIns: 0 } });
        await tx.mfaChallenge.create({
          data: {
            id: randomUUID(),
            userId: user.id,
            challengeHash: sha256Hex(challenge),
            expiresAt: new Date(now.getTime() + deps.config.MFA_CHALLENGE_TTL_SECONDS * 1000),
          },
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
      await tx.user.update({ where: { id: user.id }, data: { failedSignIns: 0, lockedUntil: null } });
      const issued = await issueSession(deps, tx, user);
      await emit(deps, tx, [
        { type: subjects.auth.userSignedIn, userId: user.id, data: { user_id: user.id, mfa: false, client } },
      ]);
      return issued;
    });
    deps.eventsCommitted();
    return authenticated(user.id, session);
  };
}
