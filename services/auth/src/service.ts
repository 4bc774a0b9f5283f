import { fileURLToPath } from 'node:url';
import { authV1, streams } from '@fintech/contracts';
import {
  ACCESS_TOKEN_TYPE,
  createFieldCipher,
  createJwksCache,
  createTokenVerifier,
  defineService,
  parseFieldKeys,
  type RunningService,
  type StartOptions,
} from '@fintech/kit';
import { createUserRepository } from './db/user-repository';
import type { AuthDeps } from './deps';
import { AuthEnv, type AuthConfig } from './env';
import { PrismaClient } from './generated/prisma/client';
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
import { createSigningKeyStore } from './keys/signing-keys';
import { createTokenIssuer } from './keys/token-issuer';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../prisma/migrations', import.meta.url));

/** The auth service: identity, sessions, MFA, and the keys that sign every token of the fleet. */
export const service = defineService({
  name: 'auth',
  env: AuthEnv,
  migrationsDir: MIGRATIONS_DIR,
  stream: streams.auth,
  prisma: (adapter) => new PrismaClient({ adapter }),
  async deps({ config, prisma, logger, now, eventsCommitted }): Promise<AuthDeps> {
    const fieldKeys = parseFieldKeys(config.FIELD_ENCRYPTION_KEYS);
    const cipher = createFieldCipher({ keys: fieldKeys.keys, current: fieldKeys.current });
    const keys = createSigningKeyStore(prisma, cipher);
    await keys.init();
    const jwks = createJwksCache({ fetchJwks: () => keys.jwks(), minRefreshIntervalMs: 5_000 });
    return {
      config,
      prisma,
      cipher,
      users: createUserRepository(cipher),
      keys,
      tokens: createTokenIssuer({
        keys,
        issuer: config.TOKEN_ISSUER,
        accessAudience: config.ACCESS_TOKEN_AUDIENCE,
        accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
        internalTtlSeconds: config.INTERNAL_TOKEN_TTL_SECONDS,
      }),
      accessTokens: createTokenVerifier({
        getKey: jwks.getKey,
        issuer: config.TOKEN_ISSUER,
        audience: config.ACCESS_TOKEN_AUDIENCE,
        typ: ACCESS_TOKEN_TYPE,
      }),
      logger,
      now,
      eventsCommitted,
    };
  },
  // Auth signs the internal tokens, so it verifies them with its own key set rather than asking itself over gRPC.
  jwks: (deps) => () => deps.keys.jwks(),
  grpc: {
    service: authV1.AuthServiceDefinition,
    handlers: (deps) =>
      ({
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
      }) satisfies authV1.AuthServiceHandlers<never>,
    // Sign-in, refresh, token exchange and the JWKS are how a caller gets a token: they cannot require one.
    publicMethods: ['authenticateUser', 'verifyMfa', 'refreshToken', 'exchangeToken', 'getJwks'],
  },
});

export type AuthService = RunningService<AuthConfig, AuthDeps>;

/** Starts the auth service (migrations, keys, NATS, relay, gRPC); `stop()` tears down in reverse order. */
export function startAuthService(config: AuthConfig, options: StartOptions = {}): Promise<AuthService> {
  return service.start(config, options);
}
