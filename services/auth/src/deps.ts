import type { Metadata } from '@grpc/grpc-js';
import type { ClientInfo } from '@fintech/contracts';
import { createEvent, enqueueEvents, type FieldCipher, type Logger, type TokenVerifier } from '@fintech/kit';
import type { AuthConfig } from './env';
import type { PrismaClient } from './generated/prisma/client';
import type { UserRepository } from './db/user-repository';
import type { SigningKeyStore } from './keys/signing-keys';
import type { TokenIssuer } from './keys/token-issuer';

/** Everything the handlers need, built once in the composition root (service.ts). */
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

/** Adds events to the outbox inside the caller's transaction. */
export async function emit(
  deps: Pick<AuthDeps, 'config'>,
  tx: Tx,
  events: { type: string; userId: string | null; data: Record<string, unknown> }[],
): Promise<void> {
  await enqueueEvents(
    tx,
    events.map((e) => createEvent({ type: e.type, userId: e.userId, data: e.data })),
    { schema: deps.config.DATABASE_SCHEMA },
  );
}

/** Where the call came from, as the gateway forwarded it (x-client-ip, x-client-user-agent metadata). */
export function clientInfo(metadata: Metadata): ClientInfo {
  const read = (key: string): string | null => {
    const value = metadata.get(key)[0];
    return typeof value === 'string' && value.length > 0 ? value.slice(0, 512) : null;
  };
  return { ip: read('x-client-ip'), user_agent: read('x-client-user-agent') };
}
