import type { authV1 } from '@fintech/contracts';
import { NotFoundError, PermissionDeniedError, type AuthenticatedContext } from '@fintech/kit';
import type { AuthDeps } from '../deps';
import { countAttempt } from '../lockout/count-attempt';
import { consumeTotpCode } from '../mfa/consume-totp-code';

/**
 * The step-up check a service runs before a sensitive action on behalf of its caller. The code is the user's own,
 * so the user is the caller of the internal token; a code is accepted once. Every code checked counts towards the
 * account lockout like a sign-in attempt, so a stolen access token cannot be used to guess the second factor; a
 * right code ends the run of failures.
 */
export function createVerifyStepUp(deps: AuthDeps) {
  return async function verifyStepUp(
    request: authV1.VerifyStepUpRequest,
    context: AuthenticatedContext,
  ): Promise<authV1.VerifyStepUpResponse> {
    const userId = request.user_id || context.caller.userId;
    if (userId !== context.caller.userId) throw new PermissionDeniedError('step-up is checked for the caller only');
    const user = await deps.users.findById(deps.prisma, userId);
    if (!user) throw new NotFoundError('user not found');
    if (!user.mfaEnabled) return { mfa_enrolled: false, verified: false };
    if (!/^[0-9]{6}$/.test(request.code)) return { mfa_enrolled: true, verified: false };
    const attempt = await countAttempt(deps, user.id, null, 'step_up');
    const verified = await deps.prisma.$transaction(async (tx) => {
      const result = await consumeTotpCode(deps, tx, user, request.code);
      if (result.ok) await deps.users.clearAttempts(tx, user.id, attempt);
      return result.ok;
    });
    return { mfa_enrolled: true, verified };
  };
}
