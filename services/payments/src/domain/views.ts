import { fromMinorUnits } from '@fintech/kit';
import type { paymentsV1 } from '@fintech/contracts';
import type { Merchant, Payment, PaymentMethod, Refund } from '../generated/prisma/client';

export function methodView(method: PaymentMethod): paymentsV1.PaymentMethod {
  return {
    method_id: method.id,
    type: method.type,
    brand: method.brand,
    last4: method.last4,
    exp_month: method.expMonth,
    exp_year: method.expYear,
    fingerprint: method.fingerprint,
    is_default: method.isDefault,
    created_at: method.createdAt.toISOString(),
  };
}

function refundStatusOf(payment: Payment): string {
  if (payment.refundedMinor === 0n) return 'none';
  return payment.refundedMinor >= payment.amountMinor ? 'full' : 'partial';
}

export function paymentView(
  payment: Payment & { paymentMethod: PaymentMethod },
  merchant?: Pick<Merchant, 'displayName'> | null,
): paymentsV1.Payment {
  return {
    payment_id: payment.id,
    user_id: payment.userId,
    source_id: payment.paymentMethodId,
    destination: {
      payee_id: payment.destinationId,
      type: payment.destinationType,
      display_name: merchant?.displayName || undefined,
    },
    amount: { amount_minor: payment.amountMinor.toString(), currency: payment.currency },
    amount_decimal: fromMinorUnits(payment.amountMinor, payment.currency),
    amount_refunded: { amount_minor: payment.refundedMinor.toString(), currency: payment.currency },
    description: payment.description,
    status: payment.status,
    refund_status: refundStatusOf(payment),
    disputed: payment.disputed,
    failure_code: payment.failureCode ?? undefined,
    failure_message: payment.failureMessage ?? undefined,
    source_display: `${payment.paymentMethod.brand} ••${payment.paymentMethod.last4}`,
    created_at: payment.createdAt.toISOString(),
    updated_at: payment.updatedAt.toISOString(),
  };
}

export function refundView(refund: Refund): paymentsV1.Refund {
  return {
    refund_id: refund.id,
    amount: { amount_minor: refund.amountMinor.toString(), currency: refund.currency },
    amount_decimal: fromMinorUnits(refund.amountMinor, refund.currency),
    reason: refund.reason,
    status: refund.status,
    created_at: refund.createdAt.toISOString(),
  };
}
