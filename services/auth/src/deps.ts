import { recordEvents, type FieldCipher, type Logger, type TokenVerifier } from '@fintech/kit';
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

/** Adds events to the outbox inside the caller's transaction (schema-qualified: see docs/decisions/005). */
export async function emit(
  deps: Pick<AuthDeps, 'config'>,
  tx: Tx,
  events: { type: string; userId: string | null; data: Record<string, unknown> }[],
): Promise<void> {
  await recordEvents(tx, events, { schema: deps.config.DATABASE_SCHEMA });
}
