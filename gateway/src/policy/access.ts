import { PermissionDeniedError, requireScopes, resolveUserId } from '@fintech/kit';
import type { ResourceEntry, ToolEntry } from '../catalog/catalog';

export interface PolicyCaller {
  userId: string;
  scopes: Set<string>;
}

/** Whether a caller may see an entry at all (tools/list hides the others). Anonymous callers see sign-in only. */
export function isVisible(entry: ToolEntry | ResourceEntry, caller: PolicyCaller | null): boolean {
  if (entry.kind === 'tool' && entry.anonymous) return true;
  if (!caller) return false;
  return entry.scopes.every((scope) => caller.scopes.has(scope));
}

/**
 * The gateway's own check before routing (services check again): scopes of the entry, and the `user_id`
 * argument — "me" or empty means the caller; another user's id needs users:read_any for reads and
 * users:write_any for changes. Mutates the request to carry the resolved id.
 */
export function authorize(
  entry: ToolEntry | ResourceEntry,
  caller: PolicyCaller | null,
  request: Record<string, unknown>,
): void {
  if (entry.kind === 'tool' && entry.anonymous) return;
  if (!caller) throw new PermissionDeniedError('authentication required');
  requireScopes(caller, entry.scopes);
  if (!entry.hasUserId) return;
  // The same rule the services enforce (the kit's resolveUserId): one policy, checked at both ends.
  const requested = typeof request.user_id === 'string' ? request.user_id : '';
  const reads = entry.kind === 'resource' || entry.annotations.readOnlyHint;
  request.user_id = resolveUserId(caller, requested, reads ? 'read' : 'write');
}
