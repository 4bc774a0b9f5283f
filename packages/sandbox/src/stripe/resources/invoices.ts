import type { StripeContext } from '../context.js';
import { StripeApiError, unexpectedState } from '../errors.js';
import { params } from '../params.js';
import { paginate, timestampFilter } from '../list.js';
import { requireCustomer, requireInvoice } from '../lookup.js';
import { formatAmount, minimumChargeAmount } from '../money.js';
import type { Params } from '../params.js';
import type { Route } from '../router.js';
import type { Invoice, InvoiceLineItem, Price, Subscription, SubscriptionItem } from '../types.js';
import { createPaymentIntent } from './payment-intents.js';

export interface LineDraft {
  amount: number;
  description: string;
  price: Price;
  quantity: number;
  proration: boolean;
  period: { start: number; end: number };
  item: SubscriptionItem;
}

export function lineDescription(ctx: StripeContext, price: Price, quantity: number): string {
  const product = ctx.store.products.get(price.product);
  const per = price.recurring ? ` / ${price.recurring.interval}` : '';
  return `${quantity} × ${product?.name ?? price.product} (at ${formatAmount(price.unit_amount ?? 0, price.currency)}${per})`;
}

export function createInvoice(
  ctx: StripeContext,
  subscription: Subscription,
  drafts: LineDraft[],
  reason: Invoice['billing_reason'],
  period: { start: number; end: number },
): Invoice {
  const customer = requireCustomer(ctx, subscription.customer);
  const id = ctx.id('in');
  const now = ctx.now();
  const lines: InvoiceLineItem[] = drafts.map((draft) => ({
    id: ctx.id('il'),
    object: 'line_item',
    amount: draft.amount,
    currency: draft.price.currency,
    description: draft.description,
    invoice: id,
    livemode: false,
    metadata: {},
    parent: {
      type: 'subscription_item_details',
      subscription_item_details: {
        proration: draft.proration,
        subscription: subscription.id,
        subscription_item: draft.item.id,
      },
    },
    period: draft.period,
    pricing: {
      type: 'price_details',
      price_details: { price: draft.price.id, product: draft.price.product },
      unit_amount_decimal: draft.price.unit_amount_decimal ?? String(draft.price.unit_amount ?? 0),
    },
    quantity: draft.quantity,
    price: structuredClone(draft.price),
    proration: draft.proration,
    subscription: subscription.id,
    subscription_item: draft.item.id,
  }));
  const total = lines.reduce((sum, line) => sum + line.amount, 0);
  // A credit (negative total) goes to the customer's balance, as Stripe does with prorations that favour the customer.
  const amountDue = Math.max(0, total);
  if (total < 0) customer.balance += total;
  const invoice: Invoice = {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Sandbox',
    amount_due: amountDue,
    amount_paid: 0,
    amount_remaining: amountDue,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    billing_reason: reason,
    collection_method: 'charge_automatically',
    created: now,
    currency: subscription.currency,
    customer: customer.id,
    customer_email: customer.email,
    customer_name: customer.name,
    default_payment_method: null,
    description: null,
    due_date: null,
    effective_at: now,
    hosted_invoice_url: `https://invoice.stripe.com/i/${ctx.random.base62(32)}`,
    invoice_pdf: `https://pay.stripe.com/invoice/${ctx.random.base62(32)}/pdf`,
    last_finalization_error: null,
    lines: { object: 'list', data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: `${customer.invoice_prefix}-${String(customer.next_invoice_sequence).padStart(4, '0')}`,
    parent: {
      type: 'subscription_details',
      quote_details: null,
      subscription_details: { metadata: { ...subscription.metadata }, subscription: subscription.id },
    },
    payment_intent: null,
    subscription: subscription.id,
    period_end: period.end,
    period_start: period.start,
    status: 'open',
    status_transitions: { finalized_at: now, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: total,
    total,
  };
  customer.next_invoice_sequence += 1;
  ctx.store.invoices.insert(invoice);
  ctx.emit('invoice.created', invoice);
  ctx.emit('invoice.finalized', invoice);
  return invoice;
}

function markPaid(ctx: StripeContext, invoice: Invoice): void {
  invoice.status = 'paid';
  invoice.amount_paid = invoice.amount_due;
  invoice.amount_remaining = 0;
  invoice.next_payment_attempt = null;
  invoice.status_transitions.paid_at = ctx.now();
  ctx.emit('invoice.paid', invoice);
  ctx.emit('invoice.payment_succeeded', invoice);
}

export type InvoicePaymentResult = 'paid' | 'failed' | 'requires_action' | 'no_payment_method';

/**
 * Collect an open invoice with a PaymentIntent, as Stripe's automatic collection does. Renewals run off session, so
 * a card that needs 3D Secure fails with authentication_required instead of asking for action.
 */
export function collectInvoice(
  ctx: StripeContext,
  invoice: Invoice,
  options: { paymentMethod: string | null; offSession: boolean; description: string },
): { result: InvoicePaymentResult; error?: StripeApiError } {
  // Stripe does not charge amounts under the currency minimum; the amount is carried to the customer's balance.
  if (invoice.amount_due < minimumChargeAmount(invoice.currency)) {
    if (invoice.amount_due > 0) requireCustomer(ctx, invoice.customer).balance += invoice.amount_due;
    markPaid(ctx, invoice);
    return { result: 'paid' };
  }
  if (!options.paymentMethod) {
    invoice.attempted = true;
    return { result: 'no_payment_method' };
  }
  invoice.attempted = true;
  invoice.attempt_count += 1;
  invoice.default_payment_method = options.paymentMethod;
  const input = params({
    amount: String(invoice.amount_due),
    currency: invoice.currency,
    customer: invoice.customer,
    payment_method: options.paymentMethod,
    confirm: 'true',
    description: options.description,
    ...(options.offSession ? { off_session: 'true' } : {}),
  });
  let error: StripeApiError | undefined;
  let intentId: string | null = null;
  try {
    intentId = createPaymentIntent(ctx, input).id;
  } catch (caught) {
    if (!(caught instanceof StripeApiError)) throw caught;
    error = caught;
    const intent = caught.body.payment_intent as { id?: string } | undefined;
    intentId = intent?.id ?? null;
  }
  invoice.payment_intent = intentId;
  const intent = intentId ? ctx.store.paymentIntents.get(intentId) : undefined;
  if (intent?.status === 'succeeded') {
    markPaid(ctx, invoice);
    return { result: 'paid' };
  }
  if (intent?.status === 'requires_action') {
    ctx.emit('invoice.payment_action_required', invoice);
    return { result: 'requires_action' };
  }
  invoice.next_payment_attempt = ctx.now() + 3 * 24 * 60 * 60;
  ctx.emit('invoice.payment_failed', invoice);
  return { result: 'failed', error };
}

/** Hooks the subscription module registers so paying an invoice by hand can activate its subscription. */
export const invoiceHooks: { onPaid?: (ctx: StripeContext, invoice: Invoice) => void } = {};

function pay(ctx: StripeContext, invoice: Invoice, input: Params): Invoice {
  if (invoice.status !== 'open') {
    throw unexpectedState(`Invoice is already ${invoice.status}`, 'invoice_not_open');
  }
  const customer = requireCustomer(ctx, invoice.customer);
  const subscription = invoice.subscription ? ctx.store.subscriptions.get(invoice.subscription) : undefined;
  const paymentMethod =
    input.string('payment_method') ??
    subscription?.default_payment_method ??
    customer.invoice_settings.default_payment_method;
  const outcome = collectInvoice(ctx, invoice, {
    paymentMethod,
    offSession: input.bool('off_session') ?? true,
    description: 'Invoice payment',
  });
  if (outcome.result === 'no_payment_method') {
    throw new StripeApiError(400, {
      type: 'invalid_request_error',
      message: 'This customer has no attached payment source or default payment method.',
    });
  }
  if (outcome.error) throw outcome.error;
  if (outcome.result === 'paid') invoiceHooks.onPaid?.(ctx, invoice);
  return invoice;
}

export const invoiceRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/invoices',
    handler(ctx, { input }) {
      const customer = input.string('customer');
      const subscription = input.string('subscription');
      const status = input.string('status');
      const created = timestampFilter(input);
      const items = ctx.store.invoices
        .all()
        .filter(
          (invoice) =>
            (!customer || invoice.customer === customer) &&
            (!subscription || invoice.subscription === subscription) &&
            (!status || invoice.status === status) &&
            created(invoice.created),
        );
      return paginate(items, input, '/v1/invoices');
    },
  },
  {
    method: 'GET',
    path: '/v1/invoices/:id',
    handler: (ctx, { path }) => requireInvoice(ctx, path.id ?? '', 'invoice'),
  },
  {
    method: 'GET',
    path: '/v1/invoices/:id/lines',
    handler(ctx, { path, input }) {
      const invoice = requireInvoice(ctx, path.id ?? '', 'invoice');
      return paginate(invoice.lines.data, input, invoice.lines.url);
    },
  },
  {
    method: 'POST',
    path: '/v1/invoices/:id/pay',
    handler: (ctx, { path, input }) => pay(ctx, requireInvoice(ctx, path.id ?? '', 'invoice'), input),
  },
  {
    method: 'POST',
    path: '/v1/invoices/:id/void',
    handler(ctx, { path }) {
      const invoice = requireInvoice(ctx, path.id ?? '', 'invoice');
      if (invoice.status !== 'open') throw unexpectedState(`Invoice is already ${invoice.status}`, 'invoice_not_open');
      invoice.status = 'void';
      invoice.amount_remaining = 0;
      invoice.status_transitions.voided_at = ctx.now();
      ctx.emit('invoice.voided', invoice);
      return invoice;
    },
  },
];
