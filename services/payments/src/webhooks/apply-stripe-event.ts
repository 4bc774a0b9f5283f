import { subjects, type PaymentDisputed } from '@fintech/contracts';
import type { StripeEventSummary } from '../adapters/stripe';
import { emit, type PaymentsDeps, type Tx } from '../deps';
import { isUuid, transitionPayment, type PaymentWithMethod } from '../db/payment-repository';
import { paymentEventFields } from '../events/payment-events';

/** The payment a provider object is about: by our id in the PaymentIntent's metadata, else by the intent's id. */
async function paymentOf(tx: Tx, intentId: string | null, metadata: unknown): Promise<PaymentWithMethod | null> {
  const ours = (metadata as { payment_id?: unknown } | null)?.payment_id;
  if (typeof ours === 'string' && isUuid(ours)) {
    const payment = await tx.payment.findUnique({ where: { id: ours }, include: { paymentMethod: true } });
    if (payment && (!intentId || !payment.stripePaymentIntentId || payment.stripePaymentIntentId === intentId)) {
      return payment;
    }
  }
  if (!intentId) return null;
  return tx.payment.findUnique({ where: { stripePaymentIntentId: intentId }, include: { paymentMethod: true } });
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * Applies a verified Stripe event once: the event id is recorded in the same transaction as the change, so a
 * redelivery (Stripe retries until it gets a 2xx) changes nothing. State changes go through the same transitions as
 * the synchronous path, so an event that arrives before or after the API reply never emits twice. Events about
 * objects this service did not create are acknowledged and ignored.
 *
 * @returns false when the event had been applied before
 */
export async function applyStripeEvent(deps: PaymentsDeps, event: StripeEventSummary): Promise<boolean> {
  const now = deps.now();
  const applied = await deps.prisma.$transaction(async (tx) => {
    const recorded = await tx.webhookEvent.createMany({
      data: [{ id: event.id, type: event.type }],
      skipDuplicates: true,
    });
    if (recorded.count === 0) return false;
    const object = event.object;
    const context = { now, client: null };
    switch (event.type) {
      case 'payment_intent.succeeded':
      case 'payment_intent.payment_failed':
      case 'payment_intent.canceled':
      case 'payment_intent.requires_action': {
        const intentId = str(object.id);
        const payment = await paymentOf(tx, intentId, object.metadata);
        if (!payment) break;
        if (event.type === 'payment_intent.succeeded') {
          await transitionPayment(tx, payment.id, { status: 'succeeded', stripePaymentIntentId: intentId }, context);
        } else if (event.type === 'payment_intent.requires_action') {
          await transitionPayment(
            tx,
            payment.id,
            { status: 'requires_action', stripePaymentIntentId: intentId },
            context,
          );
        } else if (event.type === 'payment_intent.canceled') {
          await transitionPayment(tx, payment.id, { status: 'canceled', stripePaymentIntentId: intentId }, context);
        } else {
          const error = (object.last_payment_error ?? {}) as {
            code?: unknown;
            decline_code?: unknown;
            message?: unknown;
          };
          await transitionPayment(
            tx,
            payment.id,
            {
              status: 'failed',
              stripePaymentIntentId: intentId,
              failureCode: str(error.decline_code) ?? str(error.code) ?? 'payment_failed',
              failureMessage: str(error.message) ?? 'the payment failed',
            },
            context,
          );
        }
        break;
      }
      case 'charge.refunded': {
        const payment = await paymentOf(tx, str(object.payment_intent), object.metadata);
        const refunded = typeof object.amount_refunded === 'number' ? BigInt(object.amount_refunded) : null;
        if (!payment || refunded === null) break;
        // Stripe's total is authoritative; it only grows.
        await tx.payment.updateMany({
          where: { id: payment.id, refundedMinor: { lt: refunded } },
          data: { refundedMinor: refunded, updatedAt: now },
        });
        break;
      }
      case 'charge.dispute.created': {
        const payment = await paymentOf(tx, str(object.payment_intent), object.metadata);
        if (!payment) break;
        const changed = await tx.payment.updateMany({
          where: { id: payment.id, disputed: false },
          data: { disputed: true, updatedAt: now },
        });
        if (changed.count === 1) {
          await emit(tx, [
            {
              type: subjects.payments.paymentDisputed,
              userId: payment.userId,
              data: {
                ...paymentEventFields(payment, null),
                dispute_reason: str(object.reason) ?? 'unknown',
                disputed_amount_minor:
                  typeof object.amount === 'number' ? String(object.amount) : payment.amountMinor.toString(),
              } satisfies PaymentDisputed,
            },
          ]);
        }
        break;
      }
      default:
        break;
    }
    return true;
  });
  if (applied) deps.eventsCommitted();
  return applied;
}
