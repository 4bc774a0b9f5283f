import type { StripeContext } from '../context.js';
import { invalidRequest, parameterError, resourceMissing } from '../errors.js';
import { paginate, timestampFilter } from '../list.js';
import { requireCharge, requirePaymentIntent } from '../lookup.js';
import { formatAmount } from '../money.js';
import type { Params } from '../params.js';
import type { Route } from '../router.js';
import type { Charge, Refund } from '../types.js';
import { refundableAmount } from './charges.js';

function chargeToRefund(ctx: StripeContext, input: Params): Charge {
  const chargeId = input.string('charge');
  const intentId = input.string('payment_intent');
  if (chargeId && intentId) {
    throw parameterError('You may only specify one of these parameters: charge, payment_intent.', 'charge');
  }
  if (chargeId) return requireCharge(ctx, chargeId);
  if (!intentId) {
    throw parameterError(
      'One of the following params should be provided for this request: payment_intent or charge.',
      'charge',
    );
  }
  const intent = requirePaymentIntent(ctx, intentId, 'payment_intent');
  const charge = intent.latest_charge ? ctx.store.charges.get(intent.latest_charge) : undefined;
  if (!charge || charge.status !== 'succeeded') {
    throw invalidRequest(`This PaymentIntent (${intent.id}) does not have a successful charge to refund.`, {
      param: 'payment_intent',
      code: 'charge_not_refundable',
    });
  }
  return charge;
}

function create(ctx: StripeContext, input: Params): Refund {
  const charge = chargeToRefund(ctx, input);
  if (!charge.captured) {
    throw invalidRequest(
      `Charge ${charge.id} has not been captured. Cancel the PaymentIntent to release the authorization instead.`,
      { code: 'charge_not_refundable' },
    );
  }
  const remaining = refundableAmount(charge);
  if (charge.refunded || remaining === 0) {
    throw invalidRequest(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
  }
  if (charge.disputed) {
    throw invalidRequest(`Charge ${charge.id} has been charged back; cannot issue a refund.`, {
      code: 'charge_disputed',
    });
  }
  const amount = input.int('amount') ?? remaining;
  if (amount <= 0) throw parameterError('Invalid positive integer', 'amount', 'parameter_invalid_integer');
  if (amount > remaining) {
    // Stripe names the full charge amount until something was refunded, then the unrefunded part.
    const message =
      charge.amount_refunded === 0
        ? `Refund amount (${formatAmount(amount, charge.currency)}) is greater than charge amount (${formatAmount(charge.amount, charge.currency)})`
        : `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`;
    throw invalidRequest(message, { param: 'amount' });
  }
  const refund: Refund = {
    id: ctx.id('re'),
    object: 'refund',
    amount,
    balance_transaction: ctx.id('txn'),
    charge: charge.id,
    created: ctx.now(),
    currency: charge.currency,
    destination_details: {
      type: 'card',
      card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
    },
    metadata: input.metadata(),
    payment_intent: charge.payment_intent,
    reason: input.oneOf('reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const) ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
  ctx.store.refunds.insert(refund);
  const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded === charge.amount;
  ctx.emit('refund.created', refund);
  ctx.emit('charge.refunded', charge, previous);
  return refund;
}

function retrieve(ctx: StripeContext, id: string): Refund {
  const refund = ctx.store.refunds.get(id);
  if (!refund) throw resourceMissing('refund', id, 'refund');
  return refund;
}

function list(ctx: StripeContext, input: Params) {
  const charge = input.string('charge');
  const paymentIntent = input.string('payment_intent');
  const created = timestampFilter(input);
  const items = ctx.store.refunds
    .all()
    .filter(
      (refund) =>
        (!charge || refund.charge === charge) &&
        (!paymentIntent || refund.payment_intent === paymentIntent) &&
        created(refund.created),
    );
  return paginate(items, input, '/v1/refunds');
}

export const refundRoutes: Route[] = [
  { method: 'POST', path: '/v1/refunds', handler: (ctx, { input }) => create(ctx, input) },
  { method: 'GET', path: '/v1/refunds', handler: (ctx, { input }) => list(ctx, input) },
  { method: 'GET', path: '/v1/refunds/:id', handler: (ctx, { path }) => retrieve(ctx, path.id ?? '') },
  {
    method: 'POST',
    path: '/v1/refunds/:id',
    handler(ctx, { path, input }) {
      const refund = retrieve(ctx, path.id ?? '');
      const previous = { metadata: refund.metadata };
      refund.metadata = input.metadata(refund.metadata);
      ctx.emit('refund.updated', refund, previous);
      return refund;
    },
  },
];
