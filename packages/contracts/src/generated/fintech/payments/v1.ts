// Generated from proto/ by packages/contracts/scripts/generate.ts. Do not edit; run `pnpm generate`.

import type { Input } from '../../../input';
import type { Money as fintech_common_v1_Money, PageResponse as fintech_common_v1_PageResponse } from '../../fintech/common/v1';

export interface PaymentsServiceHandlers<Context> {
  /**
   * The caller's saved payment methods (cards): brand, last four digits and expiry only, never a card number.
   */
  listPaymentMethods(request: ListPaymentMethodsRequest, context: Context): Promise<ListPaymentMethodsResponse>;
  /**
   * Payments made by a user, newest first, optionally between two dates (inclusive, UTC). Paginated: pass
   * next_cursor as cursor for the next page.
   */
  getPaymentHistory(request: GetPaymentHistoryRequest, context: Context): Promise<GetPaymentHistoryResponse>;
  /**
   * The current state of one of the caller's payments, with its refunds.
   */
  getPaymentStatus(request: GetPaymentStatusRequest, context: Context): Promise<GetPaymentStatusResponse>;
  /**
   * Save a card from a provider token (e.g. pm_card_visa) as a payment method of the user. When the user has an
   * authenticator app enrolled, a current code must be given as mfa_code.
   */
  addPaymentMethod(request: AddPaymentMethodRequest, context: Context): Promise<AddPaymentMethodResponse>;
  /**
   * Pay a registered merchant from one of the caller's saved payment methods (users cannot receive payments). Retrying
   * with the same idempotency_key (or, without one, the same arguments within a few minutes) never pays twice. Above
   * the caller's confirmation threshold the first call returns status "confirmation_required" and a
   * confirmation_token; repeat the identical call with that token to pay.
   */
  initiatePayment(request: InitiatePaymentRequest, context: Context): Promise<InitiatePaymentResponse>;
  /**
   * Refund one of the caller's payments in full (amount omitted: whatever is left) or in part. The total refunded
   * never exceeds what was paid.
   */
  processRefund(request: ProcessRefundRequest, context: Context): Promise<ProcessRefundResponse>;
}

export interface PaymentsServiceClient<CallOptions = unknown> {
  /**
   * The caller's saved payment methods (cards): brand, last four digits and expiry only, never a card number.
   */
  listPaymentMethods(request: Input<ListPaymentMethodsRequest>, options?: CallOptions): Promise<ListPaymentMethodsResponse>;
  /**
   * Payments made by a user, newest first, optionally between two dates (inclusive, UTC). Paginated: pass
   * next_cursor as cursor for the next page.
   */
  getPaymentHistory(request: Input<GetPaymentHistoryRequest>, options?: CallOptions): Promise<GetPaymentHistoryResponse>;
  /**
   * The current state of one of the caller's payments, with its refunds.
   */
  getPaymentStatus(request: Input<GetPaymentStatusRequest>, options?: CallOptions): Promise<GetPaymentStatusResponse>;
  /**
   * Save a card from a provider token (e.g. pm_card_visa) as a payment method of the user. When the user has an
   * authenticator app enrolled, a current code must be given as mfa_code.
   */
  addPaymentMethod(request: Input<AddPaymentMethodRequest>, options?: CallOptions): Promise<AddPaymentMethodResponse>;
  /**
   * Pay a registered merchant from one of the caller's saved payment methods (users cannot receive payments). Retrying
   * with the same idempotency_key (or, without one, the same arguments within a few minutes) never pays twice. Above
   * the caller's confirmation threshold the first call returns status "confirmation_required" and a
   * confirmation_token; repeat the identical call with that token to pay.
   */
  initiatePayment(request: Input<InitiatePaymentRequest>, options?: CallOptions): Promise<InitiatePaymentResponse>;
  /**
   * Refund one of the caller's payments in full (amount omitted: whatever is left) or in part. The total refunded
   * never exceeds what was paid.
   */
  processRefund(request: Input<ProcessRefundRequest>, options?: CallOptions): Promise<ProcessRefundResponse>;
}

export const PaymentsServiceDefinition = {
  serviceName: 'fintech.payments.v1.PaymentsService',
  protoFile: 'fintech/payments/v1/payments.proto',
  methods: {
    listPaymentMethods: { name: 'ListPaymentMethods', path: '/fintech.payments.v1.PaymentsService/ListPaymentMethods' },
    getPaymentHistory: { name: 'GetPaymentHistory', path: '/fintech.payments.v1.PaymentsService/GetPaymentHistory' },
    getPaymentStatus: { name: 'GetPaymentStatus', path: '/fintech.payments.v1.PaymentsService/GetPaymentStatus' },
    addPaymentMethod: { name: 'AddPaymentMethod', path: '/fintech.payments.v1.PaymentsService/AddPaymentMethod' },
    initiatePayment: { name: 'InitiatePayment', path: '/fintech.payments.v1.PaymentsService/InitiatePayment' },
    processRefund: { name: 'ProcessRefund', path: '/fintech.payments.v1.PaymentsService/ProcessRefund' },
  },
} as const;

export interface PaymentMethod {
  method_id: string;
  /**
   * "card".
   */
  type: string;
  /**
   * visa, mastercard, amex, discover, …
   */
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  /**
   * The provider's fingerprint of the card number: equal for the same card saved twice.
   */
  fingerprint: string;
  is_default: boolean;
  /**
   * RFC 3339 UTC.
   */
  created_at: string;
}

export interface ListPaymentMethodsRequest {
  /**
   * The user's id, or "me" for the caller.
   */
  user_id: string;
}

export interface ListPaymentMethodsResponse {
  methods: PaymentMethod[];
}

export interface AddPaymentMethodRequest {
  /**
   * The user's id, or "me" for the caller.
   */
  user_id: string;
  /**
   * A Stripe PaymentMethod id or test token (pm_…, e.g. pm_card_visa). Never a card number.
   */
  payment_token: string;
  /**
   * Make this the default payment method. The first method saved is the default anyway.
   */
  set_default: boolean;
  /**
   * The current 6-digit code of the user's authenticator app; required when the user has MFA enrolled.
   */
  mfa_code: string;
}

export interface AddPaymentMethodResponse {
  method?: PaymentMethod | null;
}

export interface Payee {
  payee_id: string;
  /**
   * "merchant" (payments go to registered merchants only).
   */
  type: string;
  /**
   * The merchant's name.
   */
  display_name?: string;
}

export interface Refund {
  refund_id: string;
  amount?: fintech_common_v1_Money | null;
  /**
   * The same amount in major units, e.g. "12.50".
   */
  amount_decimal: string;
  /**
   * duplicate, fraudulent or requested_by_customer.
   */
  reason: string;
  /**
   * pending, succeeded, failed.
   */
  status: string;
  created_at: string;
}

export interface Payment {
  payment_id: string;
  user_id: string;
  /**
   * The payment method charged.
   */
  source_id: string;
  destination?: Payee | null;
  amount?: fintech_common_v1_Money | null;
  /**
   * The amount in major units, e.g. "12.50" (USD) or "1000" (JPY).
   */
  amount_decimal: string;
  amount_refunded?: fintech_common_v1_Money | null;
  description: string;
  /**
   * pending, requires_action, succeeded, failed, canceled.
   */
  status: string;
  /**
   * none, partial or full.
   */
  refund_status: string;
  /**
   * A chargeback was opened on the payment.
   */
  disputed: boolean;
  /**
   * Why the payment failed (the provider's code, e.g. card_declined), when it did; absent otherwise.
   */
  failure_code?: string;
  failure_message?: string;
  /**
   * Card brand and last four digits of the source, e.g. "visa ••4242".
   */
  source_display: string;
  created_at: string;
  updated_at: string;
}

export interface InitiatePaymentRequest {
  /**
   * The caller's payment method to charge (a method_id from payments://me/methods).
   */
  source_id: string;
  /**
   * Who receives the money: a registered merchant's id (e.g. merchant_demo_books). Users cannot be paid.
   */
  destination_id: string;
  /**
   * The amount in major units, e.g. 12.50 or "12.50"; no more decimals than the currency has.
   */
  amount: string;
  /**
   * ISO 4217 code, e.g. USD, EUR, JPY.
   */
  currency: string;
  description: string;
  /**
   * Makes retries safe: the same key with the same arguments returns the first result; with other arguments it is
   * refused. Without a key, identical calls within a short window are treated as retries of the first.
   */
  idempotency_key: string;
  /**
   * The token a previous call returned with status "confirmation_required".
   */
  confirmation_token: string;
}

export interface InitiatePaymentResponse {
  /**
   * The payment's status, or "confirmation_required" when nothing was charged yet.
   */
  status: string;
  payment?: Payment | null;
  /**
   * Present with confirmation_required only: repeat the same call with this token to pay. Single use, short-lived.
   */
  confirmation_token?: string;
  confirmation_expires_at?: string;
  /**
   * What happened, in words.
   */
  message: string;
}

export interface ProcessRefundRequest {
  payment_id: string;
  /**
   * The amount to refund in major units of the payment's currency; omitted means everything not refunded yet.
   */
  amount: string;
  reason: string;
  /**
   * Makes retries safe, as for initiate_payment.
   */
  idempotency_key: string;
}

export interface ProcessRefundResponse {
  refund?: Refund | null;
  payment?: Payment | null;
}

export interface GetPaymentStatusRequest {
  payment_id: string;
}

export interface GetPaymentStatusResponse {
  payment?: Payment | null;
  refunds: Refund[];
}

export interface GetPaymentHistoryRequest {
  /**
   * The user's id, or "me" for the caller.
   */
  user_id: string;
  /**
   * First day included, YYYY-MM-DD (UTC).
   */
  start_date: string;
  /**
   * Last day included, YYYY-MM-DD (UTC).
   */
  end_date: string;
  /**
   * Opaque cursor from a previous page's next_cursor.
   */
  cursor: string;
  /**
   * Payments per page, 1 to 100 (default 20).
   */
  limit: number;
}

export interface GetPaymentHistoryResponse {
  payments: Payment[];
  page?: fintech_common_v1_PageResponse | null;
}
