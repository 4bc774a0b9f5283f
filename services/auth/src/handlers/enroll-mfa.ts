import type { authV1 } from '@fintech/contracts';
import {
  DomainError,
  NotFoundError,
  PermissionDeniedError,
  resolveUserId,
  type AuthenticatedContext,
} from '@fintech/kit';
import { base32Encode, generateTotpSecret, otpauthUri } from '../domain/totp';
import type { AuthDeps } from '../deps';
import { consumeTotpCode } from '../mfa/consume-totp-code';

/** A second factor is personal: nobody, not even an admin, enrols one for someone else. */
function ownUserId(context: AuthenticatedContext, requested: string): string {
  const userId = resolveUserId(context.caller, requested, 'write');
  if (userId !== context.caller.userId) throw new PermissionDeniedError('MFA can only be managed by its owner');
  return userId;
}

export function createEnrollMfa(deps: AuthDeps) {
  return async function enrollMfa(
    request: authV1.EnrollMfaRequest,
    context: AuthenticatedContext,
  ): Promise<authV1.EnrollMfaResponse> {
    const userId = ownUserId(context, request.user_id);
    const user = await deps.users.findById(deps.prisma, userId);
    if (!user) throw new NotFoundError('user not found');
    if (user.mfaEnabled) throw new DomainError('FAILED_PRECONDITION', 'MFA is already enrolled');
    const secret = base32Encode(generateTotpSecret());
    await deps.users.startMfaEnrolment(deps.prisma, userId, secret);
    const email = deps.users.toProfile(user).email;
    return { secret, otpauth_uri: otpauthUri({ secret, accountName: email, issuer: deps.config.MFA_ISSUER }) };
  };
}

export function createConfirmMfa(deps: AuthDeps) {
  return async function confirmMfa(
    request: authV1.ConfirmMfaRequest,
    context: AuthenticatedContext,
  ): Promise<authV1.ConfirmMfaResponse> {
    const userId = ownUserId(context, request.user_id);
    const user = await deps.users.findById(deps.prisma, userId);
    if (!user) throw new NotFoundError('user not found');
    if (user.mfaEnabled) return { mfa_enabled: true };
    if (!user.mfaSecretEncrypted) throw new DomainError('FAILED_PRECONDITION', 'call enroll_mfa first');
    const ok = await deps.prisma.$transaction(async (tx) => {
      const check = await consumeTotpCode(deps, tx, user, request.code);
      if (!check.ok) return false;
      await deps.users.enableMfa(tx, userId);
      return true;
    });
    if (!ok) throw new DomainError('VALIDATION_FAILED', 'invalid code', { field: 'code' });
    return { mfa_enabled: true };
  };
}
