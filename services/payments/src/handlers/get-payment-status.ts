import type { paymentsV1 } from '@fintech/contracts';
import { NotFoundError, READ_ANY_SCOPE, type AuthenticatedContext } from '@fintech/kit';
import type { PaymentsDeps } from '../deps';
import { findPayment } from '../db/payment-repository';
import { paymentView, refundView } from '../domain/views';

export function createGetPaymentStatus(deps: PaymentsDeps) {
  return async function getPaymentStatus(
    request: paymentsV1.GetPaymentStatusRequest,
    context: AuthenticatedContext,
  ): Promise<paymentsV1.GetPaymentStatusResponse> {
    // Ownership is part of the query: another user's payment id is indistinguishable from an unknown one.
    const anyUser = context.caller.scopes.has(READ_ANY_SCOPE);
    const payment = await findPayment(deps.prisma, request.payment_id, anyUser ? null : context.caller.userId);
    if (!payment) throw new NotFoundError('payment not found');
    return { payment: paymentView(payment, payment.merchant), refunds: payment.refunds.map(refundView) };
  };
}
