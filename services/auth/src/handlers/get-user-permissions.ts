import type { authV1 } from '@fintech/contracts';
import { NotFoundError, resolveUserId, scopesForRole, type AuthenticatedContext } from '@fintech/kit';
import type { AuthDeps } from '../deps';

export function createGetUserPermissions(deps: AuthDeps) {
  return async function getUserPermissions(
    request: authV1.GetUserPermissionsRequest,
    context: AuthenticatedContext,
  ): Promise<authV1.GetUserPermissionsResponse> {
    const userId = resolveUserId(context.caller, request.user_id, 'read');
    const user = await deps.users.findRole(deps.prisma, userId);
    if (!user) throw new NotFoundError('user not found');
    return { user_id: user.id, role: user.role, scopes: scopesForRole(user.role) };
  };
}
