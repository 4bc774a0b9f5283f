import { randomUUID } from 'node:crypto';
import { subjects, type RefundCreated, type paymentsV1 } from '@fintech/contracts';
import {
  argumentsHash,
  DomainError,
  NotFoundError,
  providerIdempotencyKey,
  storedError,
  ValidationError,
  type AuthenticatedContext,
  type IdempotencyScope,
  clientInfo,
} from '@fintech/kit';
import type { ClientInfo } from '@fintech/contracts';
import type { RefundOutcome } from '../adapters/stripe';
import type { PaymentsDeps } from '../deps';
import { findOwnedPaymentRef, loadRefund, reserveRefund, settleRefund } from '../db/refund-sql';
import { parsePositiveAmount } from '../domain/amount';
import { isUuid } from '../domain/uuid';
import { paymentView, refundView } from '../domain/views';

const TOOL = 'process_refund';
const REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'];

export function createProcessRefund(deps: PaymentsDeps) {
  return async function processRefund(
    request: paymentsV1.ProcessRefundRequest,
    context: AuthenticatedContext,
  ): Promise<paymentsV1.ProcessRefundResponse> {
    const userId = context.caller.userId;
    if (!request.payment_id) throw new ValidationError('payment_id is required', 'payment_id');
    const reason = request.reason || 'requested_by_customer';
    if (!REASONS.includes(reason)) throw new ValidationError(`reason must be one of ${REASONS.join(', ')}`, 'reason');
    // Ownership first: another user's payment id is simply not found.
    const payment = isUuid(request.payment_id)
      ? await findOwnedPaymentRef(deps.pool, userId, request.payment_id)
      : null;
    if (!payment) throw new NotFoundError('payment not found');
    const requested = request.amount ? parsePositiveAmount(request.amount, payment.currency) : null;

    const args = { payment_id: payment.id, amount_minor: requested?.toString() ?? 'remaining', reason };
    const scope = deps.idempotency.scope({
      userId,
      tool: TOOL,
      key: request.idempotency_key,
      requestHash: argumentsHash(TOOL, args),
    });
    const client = clientInfo(context.metadata);

    return deps.idempotency.run(scope, context.deadline, async (resumeId) => {
      let refundId = resumeId;
      if (refundId === null) {
        refundId = randomUUID();
        await reserveRefund(deps.pool, {
          paymentId: payment.id,
          requested,
          reason,
          scope,
          refundId,
          stripeIdempotencyKey: providerIdempotencyKey('refund', scope, refundId),
          now: deps.now(),
        });
      }
      return executeRefund(deps, scope, refundId, client);
    });
  };
}

/**
 * Sends a reserved refund to Stripe under its own Idempotency-Key (a repeat after a crash is the same refund) and
 * records the answer, the event and the call's outcome in one transaction.
 */
async function executeRefund(
  deps: PaymentsDeps,
  scope: IdempotencyScope,
  refundId: string,
  client: ClientInfo,
): Promise<paymentsV1.ProcessRefundResponse> {
  const loaded = await loadRefund(deps.pool, refundId);
  if (!loaded) throw new NotFoundError('refund not found');
  const { refund, paymentIntentId } = loaded;
  if (!paymentIntentId) throw new NotFoundError('the payment has no provider payment to refund');
  let providerError: DomainError | null = null;
  let result: RefundOutcome | null = null;
  if (refund.status === 'pending') {
    try {
      result = await deps.stripe.refund({
        paymentIntentId,
        amountMinor: refund.amountMinor,
        reason: refund.reason,
        metadata: { refund_id: refund.id, payment_id: refund.paymentId, user_id: refund.userId },
        idempotencyKey: refund.stripeIdempotencyKey,
      });
    } catch (error) {
      // A refusal (not an outage) is final: the refund fails and its reservation is released.
      if (error instanceof DomainError && error.reason === 'REFUND_REFUSED') providerError = error;
      else throw error;
    }
  }

  let response: paymentsV1.ProcessRefundResponse | undefined;
  await settleRefund(deps.pool, {
    refundId,
    status: providerError ? 'failed' : (result?.status ?? refund.status),
    stripeRefundId: result?.stripeRefundId ?? null,
    providerRefundedMinor: result?.chargeRefundedMinor ?? null,
    now: deps.now(),
    scope,
    event: (current, payment) => ({
      type: subjects.payments.refundCreated,
      userId: current.userId,
      data: {
        refund_id: current.id,
        payment_id: payment.id,
        user_id: current.userId,
        amount_minor: current.amountMinor.toString(),
        currency: current.currency,
        total_refunded_minor: payment.refundedMinor.toString(),
        reason: current.reason,
        status: current.status,
        counterparty: { type: payment.destinationType as 'user' | 'merchant', id: payment.destinationId },
        provider_refund_id: current.stripeRefundId,
        client,
      } satisfies RefundCreated,
    }),
    outcome: (current, payment, merchant) => {
      response = { refund: refundView(current), payment: paymentView(payment, merchant) };
      return providerError ? storedError(providerError) : { ok: response };
    },
  });
  deps.eventsCommitted();
  if (providerError) throw providerError;
  return response!;
}
