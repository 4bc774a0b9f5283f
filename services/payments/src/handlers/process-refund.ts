import { randomUUID } from 'node:crypto';
import { subjects, type ClientInfo, type RefundCreated, type paymentsV1 } from '@fintech/contracts';
import { DomainError, NotFoundError, ValidationError, type AuthenticatedContext, clientInfo } from '@fintech/kit';
import { emit, type PaymentsDeps, type Tx } from '../deps';

import { storedError, type IdempotencyScope } from '../db/idempotency';
import { findOwnedPayment, isUuid } from '../db/payment-repository';
import { formatMoney, parsePositiveAmount } from '../domain/amount';
import { requestHash } from '../domain/canonical';
import { idempotencyScope, providerKey, runIdempotent } from './idempotent-call';
import { paymentView, refundView } from './views';

const TOOL = 'process_refund';
const REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'];

/** Refunds that hold part of the payment: done, or sent and not (yet) failed. */
async function reservedAmount(tx: Tx, paymentId: string): Promise<bigint> {
  const sum = await tx.refund.aggregate({
    _sum: { amountMinor: true },
    where: { paymentId, status: { in: ['pending', 'succeeded'] } },
  });
  return sum._sum.amountMinor ?? 0n;
}

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
    const payment = isUuid(request.payment_id) ? await findOwnedPayment(deps.prisma, userId, request.payment_id) : null;
    if (!payment) throw new NotFoundError('payment not found');
    const requested = request.amount ? parsePositiveAmount(request.amount, payment.currency) : null;

    const args = { payment_id: payment.id, amount_minor: requested?.toString() ?? 'remaining', reason };
    const scope = idempotencyScope(deps, {
      userId,
      tool: TOOL,
      key: request.idempotency_key,
      requestHash: requestHash(TOOL, args),
    });
    const client = clientInfo(context.metadata);

    return runIdempotent(deps, scope, context.deadline, async (resumeId) => {
      const refundId = resumeId ?? (await prepareRefund(deps, scope, payment.id, requested, reason));
      return executeRefund(deps, scope, refundId, client);
    });
  };
}

/**
 * Reserves the refund before the provider hears of it, with the payment row locked so concurrent refunds see each
 * other: the total of refunds (succeeded or in flight) never exceeds the amount paid.
 */
async function prepareRefund(
  deps: PaymentsDeps,
  scope: IdempotencyScope,
  paymentId: string,
  requested: bigint | null,
  reason: string,
): Promise<string> {
  const now = deps.now();
  return deps.prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT "id" FROM "payments" WHERE "id" = ${paymentId}::uuid FOR UPDATE`;
    const payment = await tx.payment.findUniqueOrThrow({ where: { id: paymentId } });
    if (payment.status !== 'succeeded') {
      throw new DomainError(
        'FAILED_PRECONDITION',
        `only a succeeded payment can be refunded; this one is ${payment.status}`,
        {
          field: 'payment_id',
        },
      );
    }
    const reserved = await reservedAmount(tx, paymentId);
    const refunded = reserved > payment.refundedMinor ? reserved : payment.refundedMinor;
    const remaining = payment.amountMinor - refunded;
    if (remaining <= 0n) {
      throw new DomainError('REFUND_EXCEEDS_PAYMENT', 'this payment is already fully refunded', {
        field: 'payment_id',
      });
    }
    const amount = requested ?? remaining;
    if (amount > remaining) {
      throw new DomainError(
        'REFUND_EXCEEDS_PAYMENT',
        `a refund of ${formatMoney(amount, payment.currency)} is more than the ${formatMoney(remaining, payment.currency)} ` +
          `left to refund on this payment of ${formatMoney(payment.amountMinor, payment.currency)}`,
        { field: 'amount', metadata: { refundable_minor: remaining.toString(), currency: payment.currency } },
      );
    }
    const refundId = randomUUID();
    await tx.refund.create({
      data: {
        id: refundId,
        paymentId,
        userId: payment.userId,
        amountMinor: amount,
        currency: payment.currency,
        reason,
        status: 'pending',
        stripeIdempotencyKey: providerKey('refund', scope, refundId),
        createdAt: now,
        updatedAt: now,
      },
    });
    await deps.idempotency.attach(tx, scope, refundId);
    return refundId;
  });
}

async function executeRefund(
  deps: PaymentsDeps,
  scope: IdempotencyScope,
  refundId: string,
  client: ClientInfo,
): Promise<paymentsV1.ProcessRefundResponse> {
  const refund = await deps.prisma.refund.findUniqueOrThrow({ where: { id: refundId }, include: { payment: true } });
  if (!refund.payment.stripePaymentIntentId) throw new NotFoundError('the payment has no provider payment to refund');
  let providerError: DomainError | null = null;
  let result: { stripeRefundId: string; status: 'pending' | 'succeeded' | 'failed' } | null = null;
  if (refund.status === 'pending') {
    try {
      result = await deps.stripe.refund({
        paymentIntentId: refund.payment.stripePaymentIntentId,
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

  const now = deps.now();
  const response = await deps.prisma.$transaction(async (tx) => {
    const status = providerError ? 'failed' : (result?.status ?? refund.status);
    const changed = await tx.refund.updateMany({
      where: { id: refundId, status: 'pending' },
      data: { status, stripeRefundId: result?.stripeRefundId ?? null, updatedAt: now },
    });
    if (status === 'succeeded') {
      const done = await tx.refund.aggregate({
        _sum: { amountMinor: true },
        where: { paymentId: refund.paymentId, status: 'succeeded' },
      });
      const total = done._sum.amountMinor ?? 0n;
      // A charge.refunded webhook may have recorded a larger total already (e.g. a refund made elsewhere).
      await tx.payment.updateMany({
        where: { id: refund.paymentId, refundedMinor: { lt: total } },
        data: { refundedMinor: total, updatedAt: now },
      });
    }
    const payment = await tx.payment.findUniqueOrThrow({
      where: { id: refund.paymentId },
      include: { paymentMethod: true },
    });
    const current = await tx.refund.findUniqueOrThrow({ where: { id: refundId } });
    if (changed.count === 1 && status !== 'failed') {
      await emit(tx, [
        {
          type: subjects.payments.refundCreated,
          userId: refund.userId,
          data: {
            refund_id: current.id,
            payment_id: payment.id,
            user_id: refund.userId,
            amount_minor: current.amountMinor.toString(),
            currency: current.currency,
            total_refunded_minor: payment.refundedMinor.toString(),
            reason: current.reason,
            status: current.status,
            counterparty: { type: payment.destinationType as 'user' | 'merchant', id: payment.destinationId },
            provider_refund_id: current.stripeRefundId,
            client,
          } satisfies RefundCreated,
        },
      ]);
    }
    const merchant =
      payment.destinationType === 'merchant'
        ? await tx.merchant.findUnique({ where: { id: payment.destinationId } })
        : null;
    const view: paymentsV1.ProcessRefundResponse = {
      refund: refundView(current),
      payment: paymentView(payment, merchant),
    };
    await deps.idempotency.complete(tx, scope, providerError ? storedError(providerError) : { ok: view });
    return view;
  });
  deps.eventsCommitted();
  if (providerError) throw providerError;
  return response;
}
