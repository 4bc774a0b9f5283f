import type { paymentsV1 } from '@fintech/contracts';
import { NotFoundError, READ_ANY_SCOPE, type AuthenticatedContext } from '@fintech/kit';
import type { PaymentsDeps } from '../deps';
import { isUuid } from '../db/payment-repository';
import { paymentView, refundView } from './views';

export function createGetPaymentStatus(deps: PaymentsDeps) {
  return async function getPaymentStatus(
    request: paymentsV1.GetPaymentStatusRequest,
    context: AuthenticatedContext,
  ): Promise<paymentsV1.PaymentStatus> {
    // Ownership is part of the query: another user's payment id is indistinguishable from an unknown one.
    const anyUser = context.caller.scopes.has(READ_ANY_SCOPE);
    const payment = isUuid(request.payment_id)
      ? await deps.prisma.payment.findFirst({
          where: { id: request.payment_id, ...(anyUser ? {} : { userId: context.caller.userId }) },
          include: { paymentMethod: true, refunds: { orderBy: { createdAt: 'asc' } } },
        })
      : null;
    if (!payment) throw new NotFoundError('payment not found');
    const merchant =
      payment.destinationType === 'merchant'
        ? await deps.prisma.merchant.findUnique({ where: { id: payment.destinationId } })
        : null;
    return { payment: paymentView(payment, merchant), refunds: payment.refunds.map(refundView) };
  };
}
