import type { authV1 } from '@fintech/contracts';
import { NotFoundError, resolveUserId, scopesForRole, type AuthenticatedContext } from '@fintech/kit';
import type { AuthDeps } from '../deps';

export function createGetUserPermissions(deps: AuthDeps) {
  return async function getUserPermissions(
    request: authV1.GetUserPermissionsRequest,
    context: AuthenticatedContext,
  ): Promise<authV1.UserPermissions> {
    const userId = resolveUserId(context.caller, request.user_id, 'read');
    const user = await deps.prisma.user.findUnique({ where: { id: userId }, select: { id: true, role: true } });
    if (!user) throw new NotFoundError('user not found');
    return { user_id: user.id, role: user.role, scopes: scopesForRole(user.role) };
  };
}
