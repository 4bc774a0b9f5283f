import type { StripeContext } from '../context.js';
import { invalidRequest, parameterError } from '../errors.js';
import { paginate, timestampFilter } from '../list.js';
import { requireCustomer, requirePrice, requireSubscription } from '../lookup.js';
import type { Params } from '../params.js';
import type { Route } from '../router.js';
import type { Store } from '../store.js';
import type { Invoice, Price, Recurring, Subscription, SubscriptionItem } from '../types.js';
import { aggregateUsage } from './billing.js';
import { collectInvoice, createInvoice, invoiceHooks, lineDescription, type LineDraft } from './invoices.js';

const DAY = 24 * 60 * 60;
// Stripe expires an incomplete subscription whose first invoice stays unpaid for 23 hours.
const INCOMPLETE_EXPIRY_SECONDS = 23 * 60 * 60;

/** Prorations waiting for the next invoice (proration_behavior=create_prorations). */
const pendingProrations = new WeakMap<Subscription, LineDraft[]>();

/** Proration lines waiting for each subscription's next invoice, for a snapshot. */
export function pendingProrationLines(store: Store): Array<[string, LineDraft[]]> {
  return store.subscriptions.all().flatMap((subscription): Array<[string, LineDraft[]]> => {
    const lines = pendingProrations.get(subscription);
    return lines ? [[subscription.id, lines]] : [];
  });
}

export function restorePendingProrations(store: Store, entries: ReadonlyArray<readonly [string, LineDraft[]]>): void {
  for (const [id, lines] of entries) {
    const subscription = store.subscriptions.get(id);
    if (subscription) pendingProrations.set(subscription, lines);
  }
}

/**
 * The end of a period that starts at `start`: whole calendar months or years keep the anchor's day of month, clamped
 * to the month's length (a subscription anchored on the 31st renews on the 30th in April), as Stripe bills.
 */
export function addInterval(
  start: number,
  recurring: Pick<Recurring, 'interval' | 'interval_count'>,
  anchor: number,
): number {
  const count = recurring.interval_count;
  if (recurring.interval === 'day') return start + count * DAY;
  if (recurring.interval === 'week') return start + count * 7 * DAY;
  const months = recurring.interval === 'month' ? count : count * 12;
  const from = new Date(start * 1000);
  const anchorDate = new Date(anchor * 1000);
  const year = from.getUTCFullYear();
  const month = from.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(anchorDate.getUTCDate(), lastDay);
  return Math.floor(
    Date.UTC(year, month, day, anchorDate.getUTCHours(), anchorDate.getUTCMinutes(), anchorDate.getUTCSeconds()) / 1000,
  );
}

function planOf(price: Price): Record<string, unknown> {
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: price.billing_scheme,
    created: price.created,
    currency: price.currency,
    interval: price.recurring?.interval ?? null,
    interval_count: price.recurring?.interval_count ?? null,
    livemode: false,
    metadata: price.metadata,
    meter: price.recurring?.meter ?? null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: price.recurring?.trial_period_days ?? null,
    usage_type: price.recurring?.usage_type ?? 'licensed',
  };
}

function recurringPrice(ctx: StripeContext, id: string, param: string): Price & { recurring: Recurring } {
  const price = requirePrice(ctx, id, param);
  if (!price.recurring) {
    throw parameterError(
      'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.',
      param,
    );
  }
  return price as Price & { recurring: Recurring };
}

const isMetered = (price: Price) => price.recurring?.usage_type === 'metered';

function newItem(
  ctx: StripeContext,
  subscription: Subscription,
  price: Price,
  quantity: number | undefined,
  metadata: Record<string, string>,
): SubscriptionItem {
  return {
    id: ctx.id('si', 14),
    object: 'subscription_item',
    billing_thresholds: null,
    created: ctx.now(),
    current_period_end: subscription.current_period_end,
    current_period_start: subscription.current_period_start,
    discounts: [],
    metadata,
    plan: planOf(price),
    price: structuredClone(price),
    ...(isMetered(price) ? {} : { quantity: quantity ?? 1 }),
    subscription: subscription.id,
    tax_rates: [],
  };
}

/** Lines billed at the start of a period: licensed prices in advance. */
function advanceLines(ctx: StripeContext, subscription: Subscription, start: number, end: number): LineDraft[] {
  return subscription.items.data
    .filter((item) => !isMetered(item.price))
    .map((item) => {
      const quantity = item.quantity ?? 1;
      return {
        amount: (item.price.unit_amount ?? 0) * quantity,
        description: lineDescription(ctx, item.price, quantity),
        price: item.price,
        quantity,
        proration: false,
        period: { start, end },
        item,
      };
    });
}

/** Lines billed at the end of a period: metered prices, in arrears, from the meter's events. */
function usageLines(ctx: StripeContext, subscription: Subscription, start: number, end: number): LineDraft[] {
  return subscription.items.data
    .filter((item) => isMetered(item.price))
    .map((item) => {
      const meter = item.price.recurring?.meter ? ctx.store.meters.get(item.price.recurring.meter) : undefined;
      const quantity = meter ? aggregateUsage(ctx, meter, subscription.customer, start, end) : 0;
      const unit = Number(item.price.unit_amount_decimal ?? item.price.unit_amount ?? 0);
      return {
        amount: Math.round(quantity * unit),
        description: lineDescription(ctx, item.price, quantity),
        price: item.price,
        quantity,
        proration: false,
        period: { start, end },
        item,
      };
    });
}

function paymentMethodFor(ctx: StripeContext, subscription: Subscription): string | null {
  return (
    subscription.default_payment_method ??
    ctx.store.customers.get(subscription.customer)?.invoice_settings.default_payment_method ??
    null
  );
}

function setPeriod(subscription: Subscription, start: number, end: number): void {
  subscription.current_period_start = start;
  subscription.current_period_end = end;
  for (const item of subscription.items.data) {
    item.current_period_start = start;
    item.current_period_end = end;
  }
}

function diff<T extends object>(before: T, after: T): Record<string, unknown> {
  const previous: Record<string, unknown> = {};
  for (const key of Object.keys(after) as Array<keyof T>) {
    if (JSON.stringify(after[key]) !== JSON.stringify(before[key])) previous[key as string] = before[key];
  }
  return previous;
}

function emitUpdated(ctx: StripeContext, subscription: Subscription, before: Subscription): void {
  const previous = diff(before, subscription);
  if (Object.keys(previous).length > 0) ctx.emit('customer.subscription.updated', subscription, previous);
}

export function cancelSubscriptionNow(
  ctx: StripeContext,
  subscription: Subscription,
  at = ctx.now(),
  reason = 'cancellation_requested',
): void {
  subscription.status = 'canceled';
  subscription.canceled_at = subscription.canceled_at ?? at;
  subscription.ended_at = at;
  subscription.cancellation_details = {
    comment: subscription.cancellation_details?.comment ?? null,
    feedback: subscription.cancellation_details?.feedback ?? null,
    reason,
  };
  pendingProrations.delete(subscription);
  ctx.emit('customer.subscription.deleted', subscription);
}

function create(ctx: StripeContext, input: Params): Subscription {
  const customer = requireCustomer(ctx, input.requiredString('customer'));
  const itemParams = input.list('items');
  if (itemParams.length === 0) throw parameterError('Missing required param: items.', 'items', 'parameter_missing');
  const prices = itemParams.map((item, index) =>
    recurringPrice(ctx, item.requiredString('price'), `items[${index}][price]`),
  );
  const first = prices[0] as Price & { recurring: Recurring };
  if (prices.some((price) => price.currency !== first.currency)) {
    throw parameterError('All prices on a subscription must have the same `currency`.', 'items');
  }
  if (
    prices.some(
      (price) =>
        price.recurring.interval !== first.recurring.interval ||
        price.recurring.interval_count !== first.recurring.interval_count,
    )
  ) {
    throw parameterError(
      'All prices on a subscription must have the same `recurring.interval` and `recurring.interval_count`.',
      'items',
    );
  }
  const defaultPaymentMethod = input.string('default_payment_method') ?? null;
  if (defaultPaymentMethod) {
    const paymentMethod = ctx.store.paymentMethods.get(defaultPaymentMethod);
    if (!paymentMethod || paymentMethod.customer !== customer.id) {
      throw invalidRequest(
        `The customer does not have a payment method with the ID ${defaultPaymentMethod}. The payment method must be attached to the customer.`,
        { param: 'default_payment_method', code: 'resource_missing' },
      );
    }
  }
  const behavior =
    input.oneOf('payment_behavior', [
      'allow_incomplete',
      'default_incomplete',
      'error_if_incomplete',
      'pending_if_incomplete',
    ] as const) ?? 'allow_incomplete';
  const now = ctx.now();
  const trialDays = input.int('trial_period_days');
  const trialEndParam = input.string('trial_end');
  const trialEnd =
    trialEndParam === 'now'
      ? null
      : trialEndParam
        ? (input.int('trial_end') ?? null)
        : trialDays
          ? now + trialDays * DAY
          : null;
  if (trialEnd !== null && trialEnd <= now)
    throw parameterError('Invalid timestamp: must be an integer Unix timestamp in the future.', 'trial_end');
  const periodEnd = trialEnd ?? addInterval(now, first.recurring, now);
  const subscription: Subscription = {
    id: ctx.id('sub'),
    object: 'subscription',
    application: null,
    billing_cycle_anchor: trialEnd ?? now,
    cancel_at: null,
    cancel_at_period_end: input.bool('cancel_at_period_end') ?? false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    collection_method: 'charge_automatically',
    created: now,
    currency: first.currency,
    current_period_end: periodEnd,
    current_period_start: now,
    customer: customer.id,
    days_until_due: null,
    default_payment_method: defaultPaymentMethod,
    description: input.string('description') ?? null,
    discounts: [],
    ended_at: null,
    items: { object: 'list', data: [], has_more: false, url: '' },
    latest_invoice: null,
    livemode: false,
    metadata: input.metadata(),
    on_behalf_of: input.string('on_behalf_of') ?? null,
    pause_collection: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: now,
    status: trialEnd ? 'trialing' : 'incomplete',
    test_clock: null,
    transfer_data: null,
    trial_end: trialEnd,
    trial_start: trialEnd ? now : null,
  };
  subscription.items.url = `/v1/subscription_items?subscription=${subscription.id}`;
  subscription.items.data = itemParams.map((item, index) =>
    newItem(ctx, subscription, prices[index] as Price, item.int('quantity'), item.metadata()),
  );
  if (subscription.cancel_at_period_end) subscription.cancel_at = periodEnd;

  const lines = advanceLines(ctx, subscription, now, periodEnd).map((line) =>
    trialEnd
      ? {
          ...line,
          amount: 0,
          description: `Trial period for ${ctx.store.products.get(line.price.product)?.name ?? line.price.product}`,
        }
      : line,
  );
  ctx.store.subscriptions.insert(subscription);
  const invoice = createInvoice(ctx, subscription, lines, 'subscription_create', { start: now, end: now });
  subscription.latest_invoice = invoice.id;
  if (behavior !== 'default_incomplete' || invoice.amount_due === 0) {
    const outcome = collectInvoice(ctx, invoice, {
      paymentMethod: paymentMethodFor(ctx, subscription),
      offSession: input.bool('off_session') ?? false,
      description: 'Subscription creation',
    });
    if (outcome.result === 'paid' && !trialEnd) subscription.status = 'active';
    if (outcome.result !== 'paid' && behavior === 'error_if_incomplete') {
      // Stripe does not keep a subscription whose first payment failed with error_if_incomplete.
      ctx.store.subscriptions.delete(subscription.id);
      throw outcome.error ?? invalidRequest('This customer has no attached payment source or default payment method.');
    }
  }
  ctx.emit('customer.subscription.created', subscription);
  return subscription;
}

function prorationLines(
  ctx: StripeContext,
  subscription: Subscription,
  changes: Array<{
    item: SubscriptionItem;
    before?: { price: Price; quantity: number };
    after?: { price: Price; quantity: number };
  }>,
  prorationDate: number,
): LineDraft[] {
  const start = subscription.current_period_start;
  const end = subscription.current_period_end;
  const fraction = Math.max(0, Math.min(1, (end - prorationDate) / (end - start)));
  const date = new Date(prorationDate * 1000).toISOString().slice(0, 10);
  const lines: LineDraft[] = [];
  for (const change of changes) {
    if (change.before && !isMetered(change.before.price)) {
      const { price, quantity } = change.before;
      lines.push({
        amount: -Math.round((price.unit_amount ?? 0) * quantity * fraction),
        description: `Unused time on ${quantity} × ${ctx.store.products.get(price.product)?.name ?? price.product} after ${date}`,
        price,
        quantity,
        proration: true,
        period: { start: prorationDate, end },
        item: change.item,
      });
    }
    if (change.after && !isMetered(change.after.price)) {
      const { price, quantity } = change.after;
      lines.push({
        amount: Math.round((price.unit_amount ?? 0) * quantity * fraction),
        description: `Remaining time on ${quantity} × ${ctx.store.products.get(price.product)?.name ?? price.product} after ${date}`,
        price,
        quantity,
        proration: true,
        period: { start: prorationDate, end },
        item: change.item,
      });
    }
  }
  return lines;
}

function update(ctx: StripeContext, subscription: Subscription, input: Params): Subscription {
  if (subscription.status === 'canceled' || subscription.status === 'incomplete_expired') {
    const allowed = ['metadata', 'cancellation_details', 'expand'];
    if (Object.keys(input.raw).some((key) => !allowed.includes(key))) {
      throw invalidRequest('A canceled subscription can only update its cancellation_details and metadata.');
    }
  }
  const before = structuredClone(subscription);
  const now = ctx.now();
  const prorationDate = input.int('proration_date') ?? now;
  const behavior =
    input.oneOf('proration_behavior', ['create_prorations', 'none', 'always_invoice'] as const) ?? 'create_prorations';
  const changes: Parameters<typeof prorationLines>[2] = [];
  input.list('items').forEach((itemInput, index) => {
    const param = `items[${index}]`;
    const id = itemInput.string('id');
    const existing = id ? subscription.items.data.find((item) => item.id === id) : undefined;
    if (id && !existing)
      throw invalidRequest(`No such subscription item: '${id}'`, { param: `${param}[id]`, code: 'resource_missing' });
    if (existing && itemInput.bool('deleted')) {
      subscription.items.data = subscription.items.data.filter((item) => item !== existing);
      changes.push({ item: existing, before: { price: existing.price, quantity: existing.quantity ?? 1 } });
      return;
    }
    const priceId = itemInput.string('price');
    const price = priceId ? recurringPrice(ctx, priceId, `${param}[price]`) : undefined;
    if (existing) {
      const previous = { price: existing.price, quantity: existing.quantity ?? 1 };
      if (price) {
        existing.price = structuredClone(price);
        existing.plan = planOf(price);
      }
      const quantity = itemInput.int('quantity');
      if (!isMetered(existing.price)) existing.quantity = quantity ?? existing.quantity ?? 1;
      else delete existing.quantity;
      existing.metadata = itemInput.metadata(existing.metadata);
      if (previous.price.id !== existing.price.id || previous.quantity !== (existing.quantity ?? 1)) {
        changes.push({
          item: existing,
          before: previous,
          after: { price: existing.price, quantity: existing.quantity ?? 1 },
        });
      }
      return;
    }
    if (!price)
      throw parameterError(`Missing required param: ${param}[price].`, `${param}[price]`, 'parameter_missing');
    const item = newItem(ctx, subscription, price, itemInput.int('quantity'), itemInput.metadata());
    subscription.items.data.push(item);
    changes.push({ item, after: { price: item.price, quantity: item.quantity ?? 1 } });
  });
  if (subscription.items.data.length === 0) {
    throw parameterError('A subscription must have at least one active plan.', 'items');
  }
  if (input.has('cancel_at_period_end')) {
    subscription.cancel_at_period_end = input.bool('cancel_at_period_end') ?? false;
    subscription.cancel_at = subscription.cancel_at_period_end ? subscription.current_period_end : null;
    subscription.canceled_at = subscription.cancel_at_period_end ? now : null;
    if (subscription.cancel_at_period_end && subscription.cancellation_details) {
      subscription.cancellation_details.reason = 'cancellation_requested';
    }
  }
  if (input.has('cancel_at')) {
    const cancelAt = input.int('cancel_at') ?? null;
    subscription.cancel_at = cancelAt;
    subscription.cancel_at_period_end = cancelAt !== null && cancelAt === subscription.current_period_end;
  }
  const details = input.object('cancellation_details');
  if (details && subscription.cancellation_details) {
    if (details.has('comment')) subscription.cancellation_details.comment = details.nullableString('comment') ?? null;
    if (details.has('feedback'))
      subscription.cancellation_details.feedback = details.nullableString('feedback') ?? null;
  }
  if (input.has('default_payment_method'))
    subscription.default_payment_method = input.nullableString('default_payment_method') ?? null;
  if (input.has('description')) subscription.description = input.nullableString('description') ?? null;
  subscription.metadata = input.metadata(subscription.metadata);
  if (input.string('trial_end') === 'now' && subscription.status === 'trialing') {
    subscription.trial_end = now;
    setPeriod(subscription, subscription.current_period_start, now);
  }

  if (changes.length > 0 && behavior !== 'none' && subscription.status !== 'trialing') {
    const lines = prorationLines(ctx, subscription, changes, prorationDate);
    if (behavior === 'always_invoice') {
      const invoice = createInvoice(ctx, subscription, lines, 'subscription_update', {
        start: prorationDate,
        end: subscription.current_period_end,
      });
      subscription.latest_invoice = invoice.id;
      const outcome = collectInvoice(ctx, invoice, {
        paymentMethod: paymentMethodFor(ctx, subscription),
        offSession: true,
        description: 'Subscription update',
      });
      if (outcome.result !== 'paid' && subscription.status === 'active') subscription.status = 'past_due';
    } else {
      pendingProrations.set(subscription, [...(pendingProrations.get(subscription) ?? []), ...lines]);
    }
  }
  emitUpdated(ctx, subscription, before);
  advanceSubscription(ctx, subscription);
  return subscription;
}

function cancel(ctx: StripeContext, subscription: Subscription, input: Params): Subscription {
  if (subscription.status === 'canceled') {
    throw invalidRequest(`No such subscription: '${subscription.id}'`, { code: 'resource_missing', param: 'id' });
  }
  const details = input.object('cancellation_details');
  if (details && subscription.cancellation_details) {
    subscription.cancellation_details.comment = details.string('comment') ?? null;
    subscription.cancellation_details.feedback = details.string('feedback') ?? null;
  }
  if (input.bool('invoice_now')) {
    const lines = [
      ...usageLines(ctx, subscription, subscription.current_period_start, ctx.now()),
      ...(pendingProrations.get(subscription) ?? []),
    ];
    if (lines.length > 0) {
      const invoice = createInvoice(ctx, subscription, lines, 'manual', {
        start: subscription.current_period_start,
        end: ctx.now(),
      });
      subscription.latest_invoice = invoice.id;
      collectInvoice(ctx, invoice, {
        paymentMethod: paymentMethodFor(ctx, subscription),
        offSession: true,
        description: 'Subscription cancellation',
      });
    }
  }
  cancelSubscriptionNow(ctx, subscription);
  return subscription;
}

/** Renew one period: invoice usage of the ended period, pending prorations and the next period in advance. */
function renew(ctx: StripeContext, subscription: Subscription): void {
  const before = structuredClone(subscription);
  const endedStart = subscription.current_period_start;
  const endedEnd = subscription.current_period_end;
  const first = subscription.items.data[0];
  if (!first?.price.recurring) return;
  const wasTrial = subscription.status === 'trialing';
  if (wasTrial) subscription.billing_cycle_anchor = endedEnd;
  const nextEnd = addInterval(endedEnd, first.price.recurring, subscription.billing_cycle_anchor);
  const usage = wasTrial ? [] : usageLines(ctx, subscription, endedStart, endedEnd);
  setPeriod(subscription, endedEnd, nextEnd);
  const lines = [
    ...usage,
    ...(pendingProrations.get(subscription) ?? []),
    ...advanceLines(ctx, subscription, endedEnd, nextEnd),
  ];
  pendingProrations.delete(subscription);
  const invoice = createInvoice(ctx, subscription, lines, 'subscription_cycle', { start: endedStart, end: endedEnd });
  subscription.latest_invoice = invoice.id;
  const outcome = collectInvoice(ctx, invoice, {
    paymentMethod: paymentMethodFor(ctx, subscription),
    offSession: true,
    description: 'Subscription update',
  });
  subscription.status = outcome.result === 'paid' ? 'active' : 'past_due';
  emitUpdated(ctx, subscription, before);
}

/** Bring one subscription up to the sandbox clock: expiries, cancellations at period end and renewals. */
export function advanceSubscription(ctx: StripeContext, subscription: Subscription): void {
  const now = ctx.now();
  if (subscription.status === 'incomplete' && now >= subscription.created + INCOMPLETE_EXPIRY_SECONDS) {
    const before = structuredClone(subscription);
    subscription.status = 'incomplete_expired';
    subscription.ended_at = subscription.created + INCOMPLETE_EXPIRY_SECONDS;
    const invoice = subscription.latest_invoice ? ctx.store.invoices.get(subscription.latest_invoice) : undefined;
    if (invoice?.status === 'open') invoice.status = 'void';
    emitUpdated(ctx, subscription, before);
    return;
  }
  for (let guard = 0; guard < 10_000; guard += 1) {
    if (
      subscription.status === 'canceled' ||
      subscription.status === 'incomplete' ||
      subscription.status === 'incomplete_expired'
    ) {
      return;
    }
    if (
      subscription.cancel_at !== null &&
      subscription.cancel_at <= now &&
      subscription.cancel_at <= subscription.current_period_end
    ) {
      cancelSubscriptionNow(ctx, subscription, subscription.cancel_at);
      return;
    }
    if (subscription.current_period_end > now) return;
    renew(ctx, subscription);
  }
}

export function advanceSubscriptions(ctx: StripeContext): void {
  for (const subscription of ctx.store.subscriptions.all().reverse()) advanceSubscription(ctx, subscription);
}

invoiceHooks.onPaid = (ctx: StripeContext, invoice: Invoice) => {
  const subscription = invoice.subscription ? ctx.store.subscriptions.get(invoice.subscription) : undefined;
  if (!subscription || (subscription.status !== 'incomplete' && subscription.status !== 'past_due')) return;
  const before = structuredClone(subscription);
  subscription.status = 'active';
  emitUpdated(ctx, subscription, before);
};

function list(ctx: StripeContext, input: Params) {
  const customer = input.string('customer');
  const price = input.string('price');
  const status = input.string('status');
  const created = timestampFilter(input);
  const items = ctx.store.subscriptions
    .all()
    .filter(
      (subscription) =>
        (!customer || subscription.customer === customer) &&
        (!price || subscription.items.data.some((item) => item.price.id === price)) &&
        (status === 'all' ||
          (status
            ? subscription.status === status
            : subscription.status !== 'canceled' && subscription.status !== 'incomplete_expired')) &&
        created(subscription.created),
    );
  return paginate(items, input, '/v1/subscriptions');
}

const byId = (ctx: StripeContext, id: string | undefined) => requireSubscription(ctx, id ?? '');

export const subscriptionRoutes: Route[] = [
  { method: 'POST', path: '/v1/subscriptions', handler: (ctx, { input }) => create(ctx, input) },
  { method: 'GET', path: '/v1/subscriptions', handler: (ctx, { input }) => list(ctx, input) },
  { method: 'GET', path: '/v1/subscriptions/:id', handler: (ctx, { path }) => byId(ctx, path.id) },
  {
    method: 'POST',
    path: '/v1/subscriptions/:id',
    handler: (ctx, { path, input }) => update(ctx, byId(ctx, path.id), input),
  },
  {
    method: 'DELETE',
    path: '/v1/subscriptions/:id',
    handler: (ctx, { path, input }) => cancel(ctx, byId(ctx, path.id), input),
  },
  {
    method: 'GET',
    path: '/v1/subscription_items',
    handler(ctx, { input }) {
      const subscription = byId(ctx, input.requiredString('subscription'));
      return paginate([...subscription.items.data].reverse(), input, '/v1/subscription_items');
    },
  },
];
