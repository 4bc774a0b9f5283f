import { ValidationError } from '@fintech/kit';
import { subjects, type ClientInfo, type PaymentFailed, type PaymentSucceeded } from '@fintech/contracts';
import type { CurrencyLimits } from '../domain/limits';
import { emit, type Tx } from '../deps';
import type { Merchant, Payment, PaymentMethod, PrismaClient } from '../generated/prisma/client';
import { paymentEventFields } from '../events/payment-events';

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

/** Whether a payment in state `from` may move to `to` (the rule transitionPayment enforces in its update). */
export function mayMove(from: string, to: PaymentStatusValue): boolean {
  return (NEXT as Record<string, PaymentStatusValue[] | undefined>)[from]?.includes(to) ?? false;
}

/**
 * Moves a payment to a new state, once: the update only matches while the payment is in a state that may move there,
 * so the reply of the provider call and its webhook (in either order, or twice) change it and emit its event exactly
 * once. Returns whether this call made the change.
 */
export async function transitionPayment(
  tx: Tx,
  paymentId: string,
  change: {
    status: PaymentStatusValue;
    stripePaymentIntentId?: string | null;
    failureCode?: string;
    failureMessage?: string;
  },
  context: { now: Date; client: ClientInfo | null },
): Promise<boolean> {
  const from = (Object.keys(NEXT) as PaymentStatusValue[]).filter((s) => NEXT[s].includes(change.status));
  const updated = await tx.payment.updateMany({
    where: { id: paymentId, status: { in: from } },
    data: {
      status: change.status,
      updatedAt: context.now,
      ...(change.failureCode !== undefined ? { failureCode: change.failureCode } : {}),
      ...(change.failureMessage !== undefined ? { failureMessage: change.failureMessage } : {}),
    },
  });
  if (change.stripePaymentIntentId) {
    await tx.payment.updateMany({
      where: { id: paymentId, stripePaymentIntentId: null },
      data: { stripePaymentIntentId: change.stripePaymentIntentId },
    });
  }
  if (updated.count === 0) return false;
  const payment = await tx.payment.findUniqueOrThrow({ where: { id: paymentId }, include: { paymentMethod: true } });
  if (change.status === 'succeeded') {
    await emit(tx, [
      {
        type: subjects.payments.paymentSucceeded,
        userId: payment.userId,
        data: paymentEventFields(payment, context.client) satisfies PaymentSucceeded,
      },
    ]);
  } else if (change.status === 'failed') {
    await emit(tx, [
      {
        type: subjects.payments.paymentFailed,
        userId: payment.userId,
        data: {
          ...paymentEventFields(payment, context.client),
          failure_code: payment.failureCode ?? 'payment_failed',
          failure_message: payment.failureMessage ?? '',
        } satisfies PaymentFailed,
      },
    ]);
  }
  return true;
}
