import type { authV1 } from '@fintech/contracts';
import { NotFoundError, scopesForRole } from '@fintech/kit';
import type { AuthDeps } from '../deps';

export function createGetUserPermissions(deps: AuthDeps) {
  return async function getUserPermissions(request: authV1.GetUserPermissionsRequest): Promise<authV1.UserPermissions> {
    // The kit resolved user_id ("me" → the caller) and checked ownership before this handler ran.
    const userId = request.user_id;
    const user = await deps.prisma.user.findUnique({ where: { id: userId }, select: { id: true, role: true } });
    if (!user) throw new NotFoundError('user not found');
    return { user_id: user.id, role: user.role, scopes: scopesForRole(user.role) };
  };
}
