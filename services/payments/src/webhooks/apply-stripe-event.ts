import { subjects, type PaymentDisputed } from '@fintech/contracts';
import { recordEvents } from '@fintech/kit';
import type { StripeEventSummary } from '../adapters/stripe';
import type { PaymentsDeps } from '../deps';
import {
  lockPayment,
  markDisputed,
  raiseRefundedTotal,
  recordWebhookEvent,
  writePaymentChange,
} from '../db/payment-sql';
import { executorOf, withTransaction, type SqlClient } from '../db/sql';
import { applyChange, type PaymentChange, type PaymentWithMethod } from '../domain/payment-state';
import { isUuid } from '../domain/uuid';
import { paymentEventFields, statusEvent } from '../events/payment-events';

/**
 * The payment a provider object is about, locked until the end of the transaction: by our id in the PaymentIntent's
 * metadata (when the intent matches), else by the intent's id.
 */
async function lockPaymentOf(
  client: SqlClient,
  intentId: string | null,
  metadata: unknown,
): Promise<PaymentWithMethod | null> {
  const ours = (metadata as { payment_id?: unknown } | null)?.payment_id;
  if (typeof ours === 'string' && isUuid(ours)) {
    const payment = await lockPayment(client, { id: ours });
    if (payment && (!intentId || !payment.stripePaymentIntentId || payment.stripePaymentIntentId === intentId)) {
      return payment;
    }
  }
  return intentId ? lockPayment(client, { stripePaymentIntentId: intentId }) : null;
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
  if (!(await recordWebhookEvent(client, event))) return false;
  const object = event.object;
  const intentId = str(object.id);
  const payment = await lockPaymentOf(client, intentId, object.metadata);
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
    return recordWebhookEvent(deps.pool, event);
  }
  const applied = await withTransaction(deps.pool, async (client) => {
    if (!(await recordWebhookEvent(client, event))) return false;
    const object = event.object;
    const payment = await lockPaymentOf(client, str(object.payment_intent), object.metadata);
    if (!payment) return true;
    switch (event.type) {
      case 'charge.refunded': {
        // Stripe's total is authoritative; it only grows.
        if (typeof object.amount_refunded === 'number') {
          await raiseRefundedTotal(client, payment.id, BigInt(object.amount_refunded), now);
        }
        break;
      }
      case 'charge.dispute.created': {
        if (await markDisputed(client, payment.id, now)) {
          await recordEvents(executorOf(client), [
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
