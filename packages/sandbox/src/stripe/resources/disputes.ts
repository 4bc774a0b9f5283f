import type { StripeContext } from '../context.js';
import { invalidRequest, resourceMissing } from '../errors.js';
import { paginate, timestampFilter } from '../list.js';
import { requirePaymentIntent } from '../lookup.js';
import type { Route } from '../router.js';
import type { Dispute } from '../types.js';

/**
 * Open a dispute on the charge of a PaymentIntent, as a cardholder's bank would (Stripe's own test card
 * 4000000000000259 does this after payment). Emits `charge.dispute.created`.
 */
export function disputePaymentIntent(
  ctx: StripeContext,
  intentId: string,
  options: { reason?: string; amount?: number } = {},
): Dispute {
  const intent = requirePaymentIntent(ctx, intentId, 'payment_intent');
  const charge = intent.latest_charge ? ctx.store.charges.get(intent.latest_charge) : undefined;
  if (!charge || !charge.captured) {
    throw invalidRequest(`PaymentIntent ${intent.id} has no captured charge to dispute.`);
  }
  if (charge.disputed) throw invalidRequest(`Charge ${charge.id} is already disputed.`);
  const now = ctx.now();
  const dispute: Dispute = {
    id: ctx.id('dp'),
    object: 'dispute',
    amount: options.amount ?? charge.amount_captured,
    balance_transactions: [],
    charge: charge.id,
    created: now,
    currency: charge.currency,
    evidence_details: { due_by: now + 7 * 24 * 60 * 60, has_evidence: false, past_due: false, submission_count: 0 },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: intent.id,
    reason: options.reason ?? 'fraudulent',
    status: 'needs_response',
  };
  ctx.store.disputes.insert(dispute);
  charge.disputed = true;
  ctx.emit('charge.dispute.created', dispute);
  return dispute;
}

export const disputeRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/disputes/:id',
    handler(ctx, { path }) {
      const dispute = ctx.store.disputes.get(path.id ?? '');
      if (!dispute) throw resourceMissing('dispute', path.id ?? '', 'dispute');
      return dispute;
    },
  },
  {
    method: 'GET',
    path: '/v1/disputes',
    handler(ctx, { input }) {
      const charge = input.string('charge');
      const paymentIntent = input.string('payment_intent');
      const created = timestampFilter(input);
      const items = ctx.store.disputes
        .all()
        .filter(
          (dispute) =>
            (!charge || dispute.charge === charge) &&
            (!paymentIntent || dispute.payment_intent === paymentIntent) &&
            created(dispute.created),
        );
      return paginate(items, input, '/v1/disputes');
    },
  },
];
