import { authV1 } from '@fintech/contracts';
import type { GrpcServer } from '@fintech/kit';
import type { AuthDeps } from './deps';
import { createAuthenticateUser } from './handlers/authenticate-user';
import { createConfirmMfa, createEnrollMfa } from './handlers/enroll-mfa';
import { createExchangeToken } from './handlers/exchange-token';
import { createGetJwks } from './handlers/get-jwks';
import { createGetUserPermissions } from './handlers/get-user-permissions';
import { createGetUserProfile } from './handlers/get-user-profile';
import { createRefreshToken } from './handlers/refresh-token';
import { createUpdateUserProfile } from './handlers/update-user-profile';
import { createVerifyMfa } from './handlers/verify-mfa';
import { createVerifyStepUp } from './handlers/verify-step-up';

/** Registers the AuthService handlers. Sign-in, refresh, token exchange and the JWKS need no internal token. */
export function registerAuthService(server: GrpcServer, deps: AuthDeps): void {
  server.addService(
    authV1.AuthServiceDefinition,
    {
      authenticateUser: createAuthenticateUser(deps),
      verifyMfa: createVerifyMfa(deps),
      refreshToken: createRefreshToken(deps),
      getUserProfile: createGetUserProfile(deps),
      getUserPermissions: createGetUserPermissions(deps),
      updateUserProfile: createUpdateUserProfile(deps),
      enrollMfa: createEnrollMfa(deps),
      confirmMfa: createConfirmMfa(deps),
      verifyStepUp: createVerifyStepUp(deps),
      exchangeToken: createExchangeToken(deps),
      getJwks: createGetJwks(deps),
    } satisfies authV1.AuthServiceHandlers<never>,
    { publicMethods: ['authenticateUser', 'verifyMfa', 'refreshToken', 'exchangeToken', 'getJwks'] },
  );
}
