import type { authV1 } from '@fintech/contracts';
import { NotFoundError, PermissionDeniedError, type AuthenticatedContext } from '@fintech/kit';
import type { AuthDeps } from '../deps';
import { consumeTotpCode } from './mfa-code';

/**
 * The step-up check a service runs before a sensitive action on behalf of its caller. The code is the user's own,
 * so the user is the caller of the internal token; a code is accepted once.
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
    const result = await deps.prisma.$transaction((tx) => consumeTotpCode(deps, tx, user, request.code));
    return { mfa_enrolled: true, verified: result.ok };
  };
}
