import type { StripeContext } from '../context.js';
import { paginate, timestampFilter } from '../list.js';
import { requireCharge } from '../lookup.js';
import type { Route } from '../router.js';
import type { Decline } from '../test-cards.js';
import type { Charge, PaymentIntent, PaymentMethod } from '../types.js';

/** The charge behind one payment attempt of a PaymentIntent, succeeded or failed. */
export function createCharge(
  ctx: StripeContext,
  intent: PaymentIntent,
  paymentMethod: PaymentMethod,
  outcome: { decline?: Decline; capture: boolean },
): Charge {
  const { decline } = outcome;
  const succeeded = !decline;
  const charge: Charge = {
    id: ctx.id('ch'),
    object: 'charge',
    amount: intent.amount,
    amount_captured: succeeded && outcome.capture ? intent.amount : 0,
    amount_refunded: 0,
    application_fee_amount: intent.application_fee_amount,
    balance_transaction: succeeded && outcome.capture ? ctx.id('txn') : null,
    billing_details: structuredClone(paymentMethod.billing_details),
    calculated_statement_descriptor: intent.statement_descriptor ?? 'SANDBOX',
    captured: succeeded && outcome.capture,
    created: ctx.now(),
    currency: intent.currency,
    customer: intent.customer,
    description: intent.description,
    disputed: false,
    failure_code: decline?.code ?? null,
    failure_message: decline?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: { ...intent.metadata },
    on_behalf_of: intent.on_behalf_of,
    outcome: decline
      ? {
          network_status: decline.blocked ? 'not_sent_to_network' : 'declined_by_network',
          reason: decline.blocked ? 'highest_risk_level' : decline.declineCode,
          risk_level: decline.blocked ? 'highest' : 'normal',
          risk_score: decline.blocked ? 95 : ctx.random.int(0, 60),
          seller_message: decline.blocked
            ? 'Stripe blocked this payment as too risky.'
            : 'The bank did not return any further details with this decline.',
          type: decline.blocked ? 'blocked' : 'issuer_declined',
        }
      : {
          network_status: 'approved_by_network',
          reason: null,
          risk_level: 'normal',
          risk_score: ctx.random.int(0, 60),
          seller_message: 'Payment complete.',
          type: 'authorized',
        },
    paid: succeeded,
    payment_intent: intent.id,
    payment_method: paymentMethod.id,
    payment_method_details: {
      type: 'card',
      card: {
        brand: paymentMethod.card.brand,
        country: paymentMethod.card.country,
        exp_month: paymentMethod.card.exp_month,
        exp_year: paymentMethod.card.exp_year,
        fingerprint: paymentMethod.card.fingerprint,
        funding: paymentMethod.card.funding,
        last4: paymentMethod.card.last4,
        network: paymentMethod.card.brand,
      },
    },
    receipt_email: intent.receipt_email,
    receipt_url: `https://pay.stripe.com/receipts/payment/${ctx.random.base62(40)}`,
    refunded: false,
    status: succeeded ? 'succeeded' : 'failed',
    transfer_data: intent.transfer_data
      ? { destination: intent.transfer_data.destination, amount: intent.transfer_data.amount ?? null }
      : null,
    transfer_group: intent.transfer_group,
  };
  return ctx.store.charges.insert(charge);
}

/** What can still be refunded: captured, minus refunds and any uncaptured remainder Stripe released. */
export function refundableAmount(charge: Charge): number {
  return charge.amount - charge.amount_refunded;
}

export const chargeRoutes: Route[] = [
  { method: 'GET', path: '/v1/charges/:id', handler: (ctx, { path }) => requireCharge(ctx, path.id ?? '', 'id') },
  {
    method: 'GET',
    path: '/v1/charges',
    handler(ctx, { input }) {
      const customer = input.string('customer');
      const paymentIntent = input.string('payment_intent');
      const created = timestampFilter(input);
      const items = ctx.store.charges
        .all()
        .filter(
          (charge) =>
            (!customer || charge.customer === customer) &&
            (!paymentIntent || charge.payment_intent === paymentIntent) &&
            created(charge.created),
        );
      return paginate(items, input, '/v1/charges');
    },
  },
];
