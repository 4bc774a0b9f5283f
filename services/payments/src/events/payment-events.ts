import { subjects, type ClientInfo, type PaymentFailed, type PaymentSucceeded } from '@fintech/contracts';
import type { CreateEventInput } from '@fintech/kit';
import type { Payment, PaymentMethod } from '../generated/prisma/client';

/**
 * The fields every payment event carries: what fraud scanning and billing need (user, amount in minor units as a
 * string, currency, counterparty, the card's fingerprint/brand/last4, and where the call came from). Never a card
 * number, a CVC or personal data.
 */
export function paymentEventFields(
  payment: Payment & { paymentMethod: PaymentMethod },
  client: ClientInfo | null,
): PaymentSucceeded {
  return {
    payment_id: payment.id,
    user_id: payment.userId,
    amount_minor: payment.amountMinor.toString(),
    currency: payment.currency,
    counterparty: { type: payment.destinationType as 'user' | 'merchant', id: payment.destinationId },
    method: {
      method_id: payment.paymentMethod.id,
      fingerprint: payment.paymentMethod.fingerprint,
      brand: payment.paymentMethod.brand,
      last4: payment.paymentMethod.last4,
    },
    provider_payment_id: payment.stripePaymentIntentId,
    client,
  };
}

/** The event of a payment that has just moved to `payment.status`: succeeded and failed have one, others none. */
export function statusEvent(
  payment: Payment & { paymentMethod: PaymentMethod },
  client: ClientInfo | null,
): CreateEventInput | null {
  if (payment.status === 'succeeded') {
    return {
      type: subjects.payments.paymentSucceeded,
      userId: payment.userId,
      data: paymentEventFields(payment, client) satisfies PaymentSucceeded,
    };
  }
  if (payment.status === 'failed') {
    return {
      type: subjects.payments.paymentFailed,
      userId: payment.userId,
      data: {
        ...paymentEventFields(payment, client),
        failure_code: payment.failureCode ?? 'payment_failed',
        failure_message: payment.failureMessage ?? '',
      } satisfies PaymentFailed,
    };
  }
  return null;
}
