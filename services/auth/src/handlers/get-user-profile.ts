import type { authV1 } from '@fintech/contracts';
import { NotFoundError, resolveUserId, type AuthenticatedContext } from '@fintech/kit';
import type { AuthDeps } from '../deps';

export function createGetUserProfile(deps: AuthDeps) {
  return async function getUserProfile(
    request: authV1.GetUserProfileRequest,
    context: AuthenticatedContext,
  ): Promise<authV1.GetUserProfileResponse> {
    const userId = resolveUserId(context.caller, request.user_id, 'read');
    const user = await deps.users.findById(deps.prisma, userId);
    if (!user) throw new NotFoundError('user not found');
    return deps.users.toProfile(user);
  };
}
