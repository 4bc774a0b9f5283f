import { subjects, type authV1 } from '@fintech/contracts';
import { NotFoundError, type AuthenticatedContext } from '@fintech/kit';
import { validateProfileChange } from '../domain/profile';
import type { AuthDeps } from '../deps';
import { publishEvents } from '../events/auth-events';

export function createUpdateUserProfile(deps: AuthDeps) {
  return async function updateUserProfile(
    request: authV1.UpdateUserProfileRequest,
    context: AuthenticatedContext,
  ): Promise<authV1.UpdateUserProfileResponse> {
    // The kit resolved user_id ("me" → the caller) and checked ownership before this handler ran.
    const userId = request.user_id;
    const change = validateProfileChange(request.profile_data ?? null, deps.now());
    const result = await deps.prisma.$transaction(async (tx) => {
      if (!(await deps.users.exists(tx, userId))) throw new NotFoundError('user not found');
      const updated = await deps.users.updateProfile(tx, userId, change);
      await publishEvents(deps, tx, [
        {
          type: subjects.auth.userProfileUpdated,
          userId,
          data: {
            user_id: userId,
            updated_fields: updated.updatedFields,
            updated_by: context.caller.userId,
          },
        },
      ]);
      return updated;
    });
    deps.eventsCommitted();
    return { success: true, updated_fields: result.updatedFields, profile: deps.users.toProfile(result.user) };
  };
}
