import type { paymentsV1 } from '@fintech/contracts';
import type { PaymentsDeps } from '../deps';
import { listMethods } from '../db/payment-repository';
import { methodView } from '../domain/views';

export function createListPaymentMethods(deps: PaymentsDeps) {
  return async function listPaymentMethods(
    request: paymentsV1.ListPaymentMethodsRequest,
  ): Promise<paymentsV1.ListPaymentMethodsResponse> {
    // The kit resolved user_id ("me" → the caller) and checked ownership before this handler ran.
    const userId = request.user_id;
    const methods = await listMethods(deps.prisma, userId);
    return { methods: methods.map(methodView) };
  };
}
