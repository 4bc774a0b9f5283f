import type { ClientInfo, PaymentSucceeded } from '@fintech/contracts';
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
