import type { authV1 } from '@fintech/contracts';
import type pg from 'pg';
import {
  type AmountLimits,
  type CallOptions,
  type ClientHandle,
  type ConfirmationStore,
  type IdempotencyStore,
  type Logger,
} from '@fintech/kit';
import type { StripeAdapter } from './adapters/stripe';
import type { PaymentsConfig } from './env';
import type { PrismaClient } from './generated/prisma/client';

export type AuthClient = authV1.AuthServiceClient<CallOptions> & ClientHandle;

/** Everything the handlers need, built once by the service's declaration (service.ts) from what the kit opened. */
export interface PaymentsDeps {
  config: PaymentsConfig;
  prisma: PrismaClient;
  /**
   * Plain connections for the statements run per payment (see db/sql.ts); same schema as `prisma`. The kit's pool,
   * shared with the outbox relay, at most DATABASE_POOL_MAX connections.
   */
  pool: pg.Pool;
  stripe: StripeAdapter;
  /** The auth service, for step-up checks made with the caller's own internal token. */
  auth: AuthClient;
  /** The kit's idempotency records (docs/decisions/010, 017), on `pool`. */
  idempotency: IdempotencyStore;
  /** The kit's confirmation tokens (docs/decisions/011, 017), on `pool`. */
  confirmations: ConfirmationStore;
  /** Default limits per currency (PAYMENT_LIMITS), in minor units. */
  defaultLimits: ReadonlyMap<string, AmountLimits>;
  logger: Logger;
  now: () => Date;
  /** Tells the outbox relay that events were committed, so they go out at once. */
  eventsCommitted: () => void;
}
