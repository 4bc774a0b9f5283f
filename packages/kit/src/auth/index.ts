export {
  type Caller,
  ROLE_SCOPES,
  READ_ANY_SCOPE,
  WRITE_ANY_SCOPE,
  scopesForRole,
  hasScopes,
  requireScopes,
  resolveUserId,
} from './caller';
export {
  INTERNAL_AUDIENCE,
  INTERNAL_TOKEN_TYPE,
  ACCESS_TOKEN_TYPE,
  TOKEN_ALGORITHM,
  createJwksCache,
  createTokenVerifier,
  createInternalTokenVerifier,
  callerFromClaims,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './tokens';
export { createJwksFetcher } from './jwks-source';
