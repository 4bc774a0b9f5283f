import { subjects, type authV1, type UserProfileUpdated } from '@fintech/contracts';
import { NotFoundError, type AuthenticatedContext } from '@fintech/kit';
import { validateProfileChange } from '../domain/profile';
import { emit, type AuthDeps } from '../deps';

export function createUpdateUserProfile(deps: AuthDeps) {
  return async function updateUserProfile(
    request: authV1.UpdateUserProfileRequest,
    context: AuthenticatedContext,
  ): Promise<authV1.UpdateUserProfileResponse> {
    // The kit resolved user_id ("me" → the caller) and checked ownership before this handler ran.
    const userId = request.user_id;
    const change = validateProfileChange(request.profile_data ?? null, deps.now());
    const result = await deps.prisma.$transaction(async (tx) => {
      const exists = await tx.user.findUnique({ where: { id: userId }, select: { id: true } });
      if (!exists) throw new NotFoundError('user not found');
      const updated = await deps.users.updateProfile(tx, userId, change);
      await emit(deps, tx, [
        {
          type: subjects.auth.userProfileUpdated,
          userId,
          data: {
            user_id: userId,
            updated_fields: updated.updatedFields,
            updated_by: context.caller.userId,
          } satisfies UserProfileUpdated,
        },
      ]);
      return updated;
    });
    deps.eventsCommitted();
    return { success: true, updated_fields: result.updatedFields, profile: deps.users.toProfile(result.user) };
  };
}
