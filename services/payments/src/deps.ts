import type { Metadata } from '@grpc/grpc-js';
import type { authV1, ClientInfo } from '@fintech/contracts';
import { createEvent, enqueueEvents, type CallOptions, type ClientHandle, type Logger } from '@fintech/kit';
import type { StripeAdapter } from './adapters/stripe';
import type { IdempotencyStore } from './db/idempotency';
import type { CurrencyLimits } from './domain/limits';
import type { PaymentsConfig } from './env';
import type { PrismaClient } from './generated/prisma/client';

export type AuthClient = authV1.AuthServiceClient<CallOptions> & ClientHandle;

/** Everything the handlers need, built once in the composition root (service.ts). */
export interface PaymentsDeps {
  config: PaymentsConfig;
  prisma: PrismaClient;
  stripe: StripeAdapter;
  /** The auth service, for step-up checks made with the caller's own internal token. */
  auth: AuthClient;
  idempotency: IdempotencyStore;
  /** Default limits per currency (PAYMENT_LIMITS), in minor units. */
  defaultLimits: ReadonlyMap<string, CurrencyLimits>;
  logger: Logger;
  now: () => Date;
  /** Tells the outbox relay that events were committed, so they go out at once. */
  eventsCommitted: () => void;
}

/** A Prisma interactive transaction client. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/** Adds events to the outbox inside the caller's transaction. */
export async function emit(
  tx: Tx,
  events: { type: string; userId: string | null; data: Record<string, unknown> }[],
): Promise<void> {
  await enqueueEvents(
    tx,
    events.map((e) => createEvent({ type: e.type, userId: e.userId, data: e.data })),
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

/** The caller's internal token, to call another service on the caller's behalf (never logged or stored). */
export function callerToken(metadata: Metadata): string | null {
  const value = metadata.get('authorization')[0];
  if (typeof value !== 'string') return null;
  return /^Bearer\s+(.+)$/i.exec(value)?.[1] ?? null;
}
