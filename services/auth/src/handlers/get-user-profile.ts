import type { authV1 } from '@fintech/contracts';
import { NotFoundError } from '@fintech/kit';
import type { AuthDeps } from '../deps';

export function createGetUserProfile(deps: AuthDeps) {
  return async function getUserProfile(request: authV1.GetUserProfileRequest): Promise<authV1.GetUserProfileResponse> {
    // The kit resolved user_id ("me" → the caller) and checked ownership before this handler ran.
    const userId = request.user_id;
    const user = await deps.users.findById(deps.prisma, userId);
    if (!user) throw new NotFoundError('user not found');
    return deps.users.toProfile(user);
  };
}
