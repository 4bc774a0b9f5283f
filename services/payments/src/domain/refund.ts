import { DomainError } from '@fintech/kit';
import { formatMoney } from './amount';

/** Refund statuses that hold part of the payment: done, or sent and not (yet) failed. */
export const RESERVING_REFUND_STATUSES: readonly string[] = ['pending', 'succeeded'];

/**
 * The amount a new refund takes: the amount asked for, or everything left when none was. Only a succeeded payment is
 * refunded, and the total of refunds (succeeded or in flight, or what the provider reported, whichever is larger)
 * never exceeds the amount paid.
 */
export function refundAmount(input: {
  paymentStatus: string;
  paid: bigint;
  /** What the provider reported as refunded (charge.refunded). */
  refunded: bigint;
  /** Refunds of ours that succeeded or are in flight. */
  reserved: bigint;
  requested: bigint | null;
  currency: string;
}): bigint {
  const { paid, currency } = input;
  if (input.paymentStatus !== 'succeeded') {
    throw new DomainError(
      'FAILED_PRECONDITION',
      `only a succeeded payment can be refunded; this one is ${input.paymentStatus}`,
      { field: 'payment_id' },
    );
  }
  const taken = input.reserved > input.refunded ? input.reserved : input.refunded;
  const remaining = paid - taken;
  if (remaining <= 0n) {
    throw new DomainError('REFUND_EXCEEDS_PAYMENT', 'this payment is already fully refunded', { field: 'payment_id' });
  }
  const amount = input.requested ?? remaining;
  if (amount > remaining) {
    throw new DomainError(
      'REFUND_EXCEEDS_PAYMENT',
      `a refund of ${formatMoney(amount, currency)} is more than the ${formatMoney(remaining, currency)} ` +
        `left to refund on this payment of ${formatMoney(paid, currency)}`,
      { field: 'amount', metadata: { refundable_minor: remaining.toString(), currency } },
    );
  }
  return amount;
}
