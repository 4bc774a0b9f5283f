import type { FieldCipher, Logger, TokenVerifier } from '@fintech/kit';
import type { AuthConfig } from './env';
import type { PrismaClient } from './generated/prisma/client';
import type { UserRepository } from './db/user-repository';
import type { SigningKeyStore } from './keys/signing-keys';
import type { TokenIssuer } from './keys/token-issuer';

/** Everything the handlers need, built once by the service's declaration (service.ts) from what the kit opened. */
export interface AuthDeps {
  config: AuthConfig;
  prisma: PrismaClient;
  cipher: FieldCipher;
  users: UserRepository;
  keys: SigningKeyStore;
  tokens: TokenIssuer;
  /** Verifies access tokens (audience = the gateway). */
  accessTokens: TokenVerifier;
  logger: Logger;
  now: () => Date;
  /** Tells the outbox relay that events were committed, so they go out at once. */
  eventsCommitted: () => void;
}

/** A Prisma interactive transaction client. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
