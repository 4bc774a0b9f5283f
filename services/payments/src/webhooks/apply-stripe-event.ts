import { subjects, type PaymentDisputed } from '@fintech/contracts';
import type { StripeEventSummary } from '../adapters/stripe';
import { emit, type PaymentsDeps, type Tx } from '../deps';
import { isUuid, type PaymentWithMethod } from '../db/payment-repository';
import { paymentEventFields, statusEvent } from '../events/payment-events';
import { applyChange, lockPayment, writePaymentChange, type PaymentChange } from '../db/payment-sql';
import { withTransaction, type SqlClient } from '../db/sql';

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

/** PaymentIntent events and the state each one moves a payment to. */
const INTENT_EVENTS = new Map<string, 'succeeded' | 'failed' | 'canceled' | 'requires_action'>([
  ['payment_intent.succeeded', 'succeeded'],
  ['payment_intent.payment_failed', 'failed'],
  ['payment_intent.canceled', 'canceled'],
  ['payment_intent.requires_action', 'requires_action'],
]);
const OTHER_HANDLED_EVENTS = new Set(['charge.refunded', 'charge.dispute.created']);

/**
 * A PaymentIntent event, in the caller's transaction: its id recorded, then the payment it is about (by our id in the
 * metadata, else by the intent's id) moved under its row lock with the rules of mayMove, so the reply of
 * the provider call and the webhook, in either order, move it and emit its event once.
 */
async function applyIntentEvent(client: SqlClient, event: StripeEventSummary, now: Date): Promise<boolean> {
  const recorded = await client.query(
    'INSERT INTO "webhook_events" ("id", "type") VALUES ($1, $2) ON CONFLICT ("id") DO NOTHING',
    [event.id, event.type],
  );
  if (recorded.rowCount !== 1) return false;
  const object = event.object;
  const intentId = str(object.id);
  let payment: PaymentWithMethod | null = null;
  const ours = (object.metadata as { payment_id?: unknown } | null)?.payment_id;
  if (typeof ours === 'string' && isUuid(ours)) {
    payment = await lockPayment(client, { id: ours });
    if (payment && intentId && payment.stripePaymentIntentId && payment.stripePaymentIntentId !== intentId) {
      payment = null;
    }
  }
  if (!payment && intentId) payment = await lockPayment(client, { stripePaymentIntentId: intentId });
  if (!payment) return true;
  const status = INTENT_EVENTS.get(event.type)!;
  let change: PaymentChange = { status, stripePaymentIntentId: intentId };
  if (status === 'failed') {
    const error = (object.last_payment_error ?? {}) as { code?: unknown; decline_code?: unknown; message?: unknown };
    change = {
      ...change,
      failureCode: str(error.decline_code) ?? str(error.code) ?? 'payment_failed',
      failureMessage: str(error.message) ?? 'the payment failed',
    };
  }
  const applied = applyChange(payment, change, now);
  await writePaymentChange(client, {
    payment: applied.payment,
    changed: applied.changed,
    event: applied.moved ? statusEvent(applied.payment, null) : null,
  });
  return true;
}

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
  if (INTENT_EVENTS.has(event.type)) {
    const applied = await withTransaction(deps.pool, (client) => applyIntentEvent(client, event, now));
    if (applied) deps.eventsCommitted();
    return applied;
  }
  if (!OTHER_HANDLED_EVENTS.has(event.type)) {
    // Nothing to change for this type: recording its id is the whole of it, one statement.
    const recorded = await deps.pool.query(
      'INSERT INTO "webhook_events" ("id", "type") VALUES ($1, $2) ON CONFLICT ("id") DO NOTHING',
      [event.id, event.type],
    );
    return recorded.rowCount === 1;
  }
  const applied = await deps.prisma.$transaction(async (tx) => {
    const recorded = await tx.webhookEvent.createMany({
      data: [{ id: event.id, type: event.type }],
      skipDuplicates: true,
    });
    if (recorded.count === 0) return false;
    const object = event.object;
    switch (event.type) {
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
