import type { Payment, PaymentMethod } from '../generated/prisma/client';

export type PaymentWithMethod = Payment & { paymentMethod: PaymentMethod };

export type PaymentStatusValue = 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';

/** Statuses whose amount counts against the daily limit (money that moved or may still move). */
export const COMMITTED_STATUSES: readonly PaymentStatusValue[] = ['pending', 'requires_action', 'succeeded'];

/** The states a payment may move to from each state; terminal states move nowhere. */
const NEXT: Record<PaymentStatusValue, PaymentStatusValue[]> = {
  pending: ['requires_action', 'succeeded', 'failed', 'canceled'],
  requires_action: ['succeeded', 'failed', 'canceled'],
  succeeded: [],
  failed: [],
  canceled: [],
};

/**
 * Whether a payment in state `from` may move to `to`. Applied under the payment's row lock (db/payment-sql.ts), so
 * the reply of the provider call and its webhook (in either order, or twice) move it and emit its event exactly once.
 */
export function mayMove(from: string, to: PaymentStatusValue): boolean {
  return (NEXT as Record<string, PaymentStatusValue[] | undefined>)[from]?.includes(to) ?? false;
}

/** What the provider said about a payment: a state to move to (if it may), and the PaymentIntent's id. */
export interface PaymentChange {
  status: PaymentStatusValue | null;
  stripePaymentIntentId: string | null;
  failureCode?: string;
  failureMessage?: string;
}

/**
 * A change applied to a payment with the rules of mayMove: a state it may not move to is left alone, the
 * PaymentIntent id is set once. `moved` says whether the state changed (its event is then due); `changed` whether
 * anything is to be written.
 */
export function applyChange(
  payment: PaymentWithMethod,
  change: PaymentChange | null,
  now: Date,
): { payment: PaymentWithMethod; changed: boolean; moved: boolean } {
  let current = payment;
  let changed = false;
  let moved = false;
  if (change) {
    if (change.status && mayMove(current.status, change.status)) {
      current = {
        ...current,
        status: change.status,
        updatedAt: now,
        ...(change.failureCode !== undefined ? { failureCode: change.failureCode } : {}),
        ...(change.failureMessage !== undefined ? { failureMessage: change.failureMessage } : {}),
      };
      changed = true;
      moved = true;
    }
    if (change.stripePaymentIntentId && current.stripePaymentIntentId === null) {
      current = { ...current, stripePaymentIntentId: change.stripePaymentIntentId };
      changed = true;
    }
  }
  return { payment: current, changed, moved };
}
