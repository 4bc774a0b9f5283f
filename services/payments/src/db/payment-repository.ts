import { ValidationError } from '@fintech/kit';
import type { CurrencyLimits } from '../domain/limits';
import type { Tx } from '../deps';
import type { Merchant, Payment, PaymentMethod, PrismaClient } from '../generated/prisma/client';

export type PaymentWithMethod = Payment & { paymentMethod: PaymentMethod };
type Db = PrismaClient | Tx;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** A payment of this user, or null: ownership is part of the query, so another user's id finds nothing. */
export async function findOwnedPayment(db: Db, userId: string, paymentId: string): Promise<PaymentWithMethod | null> {
  if (!isUuid(paymentId)) return null;
  return db.payment.findFirst({ where: { id: paymentId, userId }, include: { paymentMethod: true } });
}

export async function findOwnedMethod(db: Db, userId: string, methodId: string): Promise<PaymentMethod | null> {
  if (!isUuid(methodId)) return null;
  return db.paymentMethod.findFirst({ where: { id: methodId, userId } });
}

/** Who a payment goes to. */
export interface ResolvedPayee {
  type: 'user' | 'merchant';
  id: string;
  displayName: string;
  /** Connected account that receives a merchant's funds. */
  stripeAccount: string | null;
}

/**
 * A payee the platform knows: a registered merchant, or another user with a payments account (a user who has saved
 * a payment method here). Paying oneself is refused. `merchant` is the merchant with id destinationId, `payeeUserId`
 * the user with a payments account whose id is destinationId, as read by readPaymentContext.
 */
export function payeeOf(input: {
  destinationId: string;
  payerId: string;
  merchant: Pick<Merchant, 'id' | 'displayName' | 'stripeAccountId'> | null;
  payeeUserId: string | null;
}): ResolvedPayee {
  const { merchant, destinationId } = input;
  if (merchant) {
    return {
      type: 'merchant',
      id: merchant.id,
      displayName: merchant.displayName,
      stripeAccount: merchant.stripeAccountId,
    };
  }
  if (isUuid(destinationId)) {
    if (destinationId.toLowerCase() === input.payerId.toLowerCase()) {
      throw new ValidationError('destination_id is yourself; a payment needs another payee', 'destination_id');
    }
    if (input.payeeUserId) return { type: 'user', id: input.payeeUserId, displayName: '', stripeAccount: null };
  }
  throw new ValidationError(
    'destination_id is not a payee: neither a registered merchant nor a user with a payments account',
    'destination_id',
  );
}

/** Statuses whose amount counts against the daily limit (money that moved or may still move). */
export const COMMITTED_STATUSES = ['pending', 'requires_action', 'succeeded'];

/** Per-user overrides (null columns keep the default) over the configured defaults; null when none apply. */
export function combineLimits(
  own: {
    perPaymentMaxMinor: bigint | null;
    dailyTotalMaxMinor: bigint | null;
    confirmationThresholdMinor: bigint | null;
  } | null,
  base: CurrencyLimits | undefined,
): CurrencyLimits | null {
  const perPaymentMax = own?.perPaymentMaxMinor ?? base?.perPaymentMax;
  const dailyTotalMax = own?.dailyTotalMaxMinor ?? base?.dailyTotalMax;
  const confirmationThreshold = own?.confirmationThresholdMinor ?? base?.confirmationThreshold;
  if (perPaymentMax === undefined || dailyTotalMax === undefined || confirmationThreshold === undefined) return null;
  return { perPaymentMax, dailyTotalMax, confirmationThreshold };
}

export type PaymentStatusValue = 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';

/** The states a payment may move to from each state; terminal states move nowhere. */
const NEXT: Record<PaymentStatusValue, PaymentStatusValue[]> = {
  pending: ['requires_action', 'succeeded', 'failed', 'canceled'],
  requires_action: ['succeeded', 'failed', 'canceled'],
  succeeded: [],
  failed: [],
  canceled: [],
};

/**
 * Whether a payment in state `from` may move to `to`. Applied under the payment's row lock (payment-sql.ts), so the
 * reply of the provider call and its webhook (in either order, or twice) move it and emit its event exactly once.
 */
export function mayMove(from: string, to: PaymentStatusValue): boolean {
  return (NEXT as Record<string, PaymentStatusValue[] | undefined>)[from]?.includes(to) ?? false;
}
