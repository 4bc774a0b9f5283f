import type { paymentsV1 } from '@fintech/contracts';
import { requireScopes, resolveUserId, type AuthenticatedContext } from '@fintech/kit';
import type { PaymentsDeps } from '../deps';
import { listMethods } from '../db/payment-repository';
import { methodView } from '../domain/views';

export function createListPaymentMethods(deps: PaymentsDeps) {
  return async function listPaymentMethods(
    request: paymentsV1.ListPaymentMethodsRequest,
    context: AuthenticatedContext,
  ): Promise<paymentsV1.ListPaymentMethodsResponse> {
    requireScopes(context.caller, ['payments:read']);
    const userId = resolveUserId(context.caller, request.user_id, 'read');
    const methods = await listMethods(deps.prisma, userId);
    return { methods: methods.map(methodView) };
  };
}
