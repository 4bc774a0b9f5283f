import { PermissionDeniedError, ValidationError } from '../errors';

/** The user on whose behalf a call runs, as the internal token states it. */
export interface Caller {
  userId: string;
  role: string;
  scopes: ReadonlySet<string>;
  /** Who acts for the user (e.g. "gateway"), from the token's `act` claim (RFC 8693 §4.1). */
  actor: string | null;
  /** The token's `jti`. */
  tokenId: string;
  /** Expiry, seconds since the epoch. */
  expiresAt: number;
}

/** Roles of the fleet and the scopes each grants. The single source of truth for role → scopes. */
export const ROLE_SCOPES: Record<string, readonly string[]> = {
  customer: [
    'profile:read',
    'profile:write',
    'banking:read',
    'banking:write',
    'payments:read',
    'payments:write',
    'investments:read',
    'investments:write',
    'fraud:read',
    'billing:read',
    'billing:write',
    'keys:read',
    'keys:write',
  ],
  // Support staff read other users' data to help them; they cannot move money or change others' data.
  support: ['profile:read', 'profile:write', 'users:read_any', 'payments:read', 'banking:read', 'fraud:read'],
  // Fraud analysts review alerts of others (never their own: enforced by the fraud service).
  fraud_analyst: ['profile:read', 'profile:write', 'users:read_any', 'fraud:read', 'fraud:review', 'payments:read'],
  admin: [
    'profile:read',
    'profile:write',
    'users:read_any',
    'users:write_any',
    'banking:read',
    'payments:read',
    'investments:read',
    'fraud:read',
    'fraud:review',
    'billing:read',
    'keys:read',
  ],
};

/** Scope that lets a caller read (never change) another user's data. */
export const READ_ANY_SCOPE = 'users:read_any';
/** Scope that lets a caller change another user's data. */
export const WRITE_ANY_SCOPE = 'users:write_any';

export function scopesForRole(role: string): string[] {
  const scopes = ROLE_SCOPES[role];
  if (!scopes) throw new ValidationError(`unknown role "${role}"`, 'role');
  return [...scopes];
}

export function hasScopes(caller: Caller, required: Iterable<string>): boolean {
  for (const scope of required) if (!caller.scopes.has(scope)) return false;
  return true;
}

/** Throws PERMISSION_DENIED naming the first missing scope. */
export function requireScopes(caller: Pick<Caller, 'scopes'>, required: Iterable<string>): void {
  for (const scope of required) {
    if (!caller.scopes.has(scope)) throw new PermissionDeniedError(`missing scope ${scope}`);
  }
}

/**
 * Resolves a user id argument ("me" = the caller) and enforces ownership: a caller acts on its own data, and on
 * another user's only with users:read_any (reads) or users:write_any (writes).
 */
export function resolveUserId(
  caller: Pick<Caller, 'userId' | 'scopes'>,
  requested: string,
  access: 'read' | 'write',
): string {
  const userId = requested === 'me' || requested === '' ? caller.userId : requested;
  if (userId === caller.userId) return userId;
  const scope = access === 'read' ? READ_ANY_SCOPE : WRITE_ANY_SCOPE;
  if (caller.scopes.has(scope)) return userId;
  throw new PermissionDeniedError("access to another user's data is not allowed");
}
