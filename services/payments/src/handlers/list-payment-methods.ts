import type { paymentsV1 } from '@fintech/contracts';
import type { PaymentsDeps } from '../deps';
import { methodView } from './views';

export function createListPaymentMethods(deps: PaymentsDeps) {
  return async function listPaymentMethods(
    request: paymentsV1.ListPaymentMethodsRequest,
  ): Promise<paymentsV1.ListPaymentMethodsResponse> {
    // The kit resolved user_id ("me" → the caller) and checked ownership before this handler ran.
    const userId = request.user_id;
    const methods = await deps.prisma.paymentMethod.findMany({
      where: { userId },
      orderBy: [{ isDefault: 'desc' }, { createdAt: 'asc' }],
    });
    return { methods: methods.map(methodView) };
  };
}
