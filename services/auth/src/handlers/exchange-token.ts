import type { authV1 } from '@fintech/contracts';
import { UnauthenticatedError, ValidationError, scopesForRole } from '@fintech/kit';
import { sessions } from '../db/session-repository';
import type { AuthDeps } from '../deps';

/**
 * Token exchange (in the spirit of RFC 8693): the gateway presents the caller's access token and receives a
 * short-lived internal token for the services. The caller's own token never travels further (MCP forbids token
 * passthrough). Scopes are the intersection of the token's, the user's current role's and any requested narrowing,
 * so a role change takes effect at the next exchange. A token whose session (claim `sid`) was revoked is refused,
 * so a replica that never saw the revocation event still stops it at its first exchange.
 */
export function createExchangeToken(deps: AuthDeps) {
  return async function exchangeToken(request: authV1.ExchangeTokenRequest): Promise<authV1.ExchangeTokenResponse> {
    if (request.subject_token_type && request.subject_token_type !== 'access_token') {
      throw new ValidationError('subject_token_type must be access_token', 'subject_token_type');
    }
    if (!request.subject_token) throw new UnauthenticatedError('subject_token is required');
    const claims = await deps.accessTokens.verify(request.subject_token);
    // Tokens signed before sessions existed carry no `sid`; they expire within ACCESS_TOKEN_TTL_SECONDS of the upgrade.
    if (typeof claims.sid === 'string' && !(await sessions.isActive(deps.prisma, claims.sid))) {
      throw new UnauthenticatedError('this sign-in was revoked; sign in again', 'SESSION_REVOKED');
    }
    const user = await deps.users.findRole(deps.prisma, String(claims.sub));
    if (!user) throw new UnauthenticatedError('user no longer exists');
    const tokenScopes = new Set(
      String(claims.scope ?? '')
        .split(' ')
        .filter(Boolean),
    );
    const requested = request.scopes.length > 0 ? new Set(request.scopes) : null;
    const scopes = scopesForRole(user.role).filter((s) => tokenScopes.has(s) && (!requested || requested.has(s)));
    const internal = await deps.tokens.internalToken({ id: user.id, role: user.role, scopes }, 'gateway');
    return {
      internal_token: internal,
      expires_in: deps.tokens.internalTtlSeconds,
      user_id: user.id,
      role: user.role,
      scopes,
    };
  };
}
