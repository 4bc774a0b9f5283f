import { paymentsV1 } from '@fintech/contracts';
import type { GrpcServer } from '@fintech/kit';
import type { PaymentsDeps } from './deps';
import { createAddPaymentMethod } from './handlers/add-payment-method';
import { createGetPaymentHistory } from './handlers/get-payment-history';
import { createGetPaymentStatus } from './handlers/get-payment-status';
import { createInitiatePayment } from './handlers/initiate-payment';
import { createListPaymentMethods } from './handlers/list-payment-methods';
import { createProcessRefund } from './handlers/process-refund';

/** Registers the PaymentsService handlers; every method needs an internal token. */
export function registerPaymentsService(server: GrpcServer, deps: PaymentsDeps): void {
  server.addService(paymentsV1.PaymentsServiceDefinition, {
    listPaymentMethods: createListPaymentMethods(deps),
    getPaymentHistory: createGetPaymentHistory(deps),
    getPaymentStatus: createGetPaymentStatus(deps),
    addPaymentMethod: createAddPaymentMethod(deps),
    initiatePayment: createInitiatePayment(deps),
    processRefund: createProcessRefund(deps),
  } satisfies paymentsV1.PaymentsServiceHandlers<never>);
}
