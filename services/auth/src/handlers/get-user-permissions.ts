import type { authV1 } from '@fintech/contracts';
import { NotFoundError, scopesForRole } from '@fintech/kit';
import type { AuthDeps } from '../deps';

export function createGetUserPermissions(deps: AuthDeps) {
  return async function getUserPermissions(
    request: authV1.GetUserPermissionsRequest,
  ): Promise<authV1.GetUserPermissionsResponse> {
    // The kit resolved user_id ("me" → the caller) and checked ownership before this handler ran.
    const userId = request.user_id;
    const user = await deps.users.findRole(deps.prisma, userId);
    if (!user) throw new NotFoundError('user not found');
    return { user_id: user.id, role: user.role, scopes: scopesForRole(user.role) };
  };
}
