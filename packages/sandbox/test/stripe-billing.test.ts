import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { startTestSandbox, stripeClient } from './stripe-helpers.js';

const START = new Date('2026-01-31T12:00:00Z');
const DAY_MS = 24 * 60 * 60 * 1000;

let sandbox: Sandbox;
let stripe: Stripe;

beforeAll(async () => {
  sandbox = await startTestSandbox({ now: START });
  stripe = stripeClient(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const unix = (date: Date) => Math.floor(date.getTime() / 1000);

async function payingCustomer(token = 'pm_card_visa') {
  const customer = await stripe.customers.create({ email: 'billing@example.com' });
  const paymentMethod = await stripe.paymentMethods.attach(token, { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: paymentMethod.id } });
  return customer;
}

async function monthlyPrice(unitAmount: number, lookupKey?: string) {
  const product = await stripe.products.create({ name: lookupKey ?? 'Pro' });
  return stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: unitAmount,
    recurring: { interval: 'month' },
    lookup_key: lookupKey,
  });
}

describe('products and prices', () => {
  it('creates, retrieves and lists prices by lookup key', async () => {
    const price = await monthlyPrice(1500, 'pro_monthly');
    expect(price).toMatchObject({ type: 'recurring', unit_amount: 1500, lookup_key: 'pro_monthly' });
    expect(price.recurring).toMatchObject({ interval: 'month', interval_count: 1, usage_type: 'licensed' });
    expect((await stripe.prices.retrieve(price.id)).id).toBe(price.id);
    const found = await stripe.prices.list({ lookup_keys: ['pro_monthly'] });
    expect(found.data.map((p) => p.id)).toEqual([price.id]);
  });
});

describe('subscriptions', () => {
  it('starts active with a paid first invoice and period bounds on the items', async () => {
    const customer = await payingCustomer();
    const price = await monthlyPrice(1500);
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      metadata: { account: 'a1' },
    });
    expect(subscription.status).toBe('active');
    const item = subscription.items.data[0];
    expect(item?.current_period_start).toBe(unix(START));
    // Anchored on the 31st: February has no 31st, so the period ends on its last day.
    expect(item?.current_period_end).toBe(unix(new Date('2026-02-28T12:00:00Z')));

    const invoice = await stripe.invoices.retrieve(subscription.latest_invoice as string);
    expect(invoice).toMatchObject({ status: 'paid', amount_paid: 1500, billing_reason: 'subscription_create' });
    expect(invoice.parent?.subscription_details?.subscription).toBe(subscription.id);
    const listed = await stripe.invoices.list({ subscription: subscription.id });
    expect(listed.data.map((i) => i.id)).toEqual([invoice.id]);
  });

  it('is incomplete when the first payment is declined, and active once the invoice is paid', async () => {
    const customer = await payingCustomer('pm_card_chargeCustomerFail');
    const price = await monthlyPrice(2000);
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    expect(subscription.status).toBe('incomplete');
    const invoice = await stripe.invoices.retrieve(subscription.latest_invoice as string);
    expect(invoice.status).toBe('open');

    const good = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const paid = await stripe.invoices.pay(invoice.id, { payment_method: good.id });
    expect(paid.status).toBe('paid');
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('active');
  });

  it('starts trialing with a trial period', async () => {
    const customer = await payingCustomer();
    const price = await monthlyPrice(900);
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      trial_period_days: 14,
    });
    expect(subscription.status).toBe('trialing');
    expect(subscription.trial_end).toBe(unix(START) + 14 * 24 * 60 * 60);
    const invoice = await stripe.invoices.retrieve(subscription.latest_invoice as string);
    expect(invoice).toMatchObject({ status: 'paid', amount_due: 0 });

    sandbox.clock.advance(15 * DAY_MS);
    const after = await stripe.subscriptions.retrieve(subscription.id);
    expect(after.status).toBe('active');
    const invoices = await stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data[0]).toMatchObject({ status: 'paid', amount_paid: 900, billing_reason: 'subscription_cycle' });
  });

  it('changes price with an immediate prorated invoice', async () => {
    const customer = await payingCustomer();
    const basic = await monthlyPrice(1000, 'basic');
    const pro = await monthlyPrice(3000, 'pro');
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: basic.id }] });
    const periodStart = subscription.items.data[0]?.current_period_start ?? 0;
    const periodEnd = subscription.items.data[0]?.current_period_end ?? 0;
    const halfway = periodStart + Math.floor((periodEnd - periodStart) / 2);

    const updated = await stripe.subscriptions.update(subscription.id, {
      items: [{ id: subscription.items.data[0]?.id, price: pro.id }],
      proration_behavior: 'always_invoice',
      proration_date: halfway,
    });
    expect(updated.items.data[0]?.price.id).toBe(pro.id);
    const invoice = await stripe.invoices.retrieve(updated.latest_invoice as string);
    expect(invoice.billing_reason).toBe('subscription_update');
    expect(invoice.lines.data.map((line) => line.amount)).toEqual([-500, 1500]);
    expect(invoice).toMatchObject({ amount_due: 1000, status: 'paid' });

    const events = await stripe.events.list({ type: 'customer.subscription.updated' });
    const previous = events.data[0]?.data.previous_attributes as Partial<Stripe.Subscription> | undefined;
    expect(previous?.items).toBeDefined();
  });

  it('cancels at period end, then ends when the clock passes it', async () => {
    const customer = await payingCustomer();
    const price = await monthlyPrice(1500);
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    const scheduled = await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    expect(scheduled).toMatchObject({ status: 'active', cancel_at_period_end: true });
    expect(scheduled.cancel_at).toBe(scheduled.items.data[0]?.current_period_end);

    sandbox.clock.set(new Date('2026-03-01T00:00:00Z'));
    const ended = await stripe.subscriptions.retrieve(subscription.id);
    expect(ended.status).toBe('canceled');
    expect(ended.ended_at).toBe(scheduled.cancel_at);
    const deleted = await stripe.events.list({ type: 'customer.subscription.deleted' });
    expect(deleted.data).toHaveLength(1);
    expect((await stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(1);
  });

  it('renews each period with a new invoice, and cancels at once on delete', async () => {
    const customer = await payingCustomer();
    const price = await monthlyPrice(1500);
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    sandbox.clock.set(new Date('2026-04-01T00:00:00Z'));
    const renewed = await stripe.subscriptions.retrieve(subscription.id);
    expect(renewed.status).toBe('active');
    expect(renewed.items.data[0]?.current_period_start).toBe(unix(new Date('2026-03-31T12:00:00Z')));
    const invoices = await stripe.invoices.list({ customer: customer.id });
    expect(invoices.data.map((invoice) => invoice.billing_reason)).toEqual([
      'subscription_cycle',
      'subscription_cycle',
      'subscription_create',
    ]);

    const canceled = await stripe.subscriptions.cancel(subscription.id);
    expect(canceled.status).toBe('canceled');
    expect((await stripe.subscriptions.list({ customer: customer.id })).data).toHaveLength(0);
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'canceled' })).data).toHaveLength(1);
  });
});

describe('usage-based billing', () => {
  it('records meter events, dedupes identifiers and bills usage at the end of the period', async () => {
    const customer = await payingCustomer();
    const meter = await stripe.billing.meters.create({
      display_name: 'API calls',
      event_name: 'api_call',
      default_aggregation: { formula: 'sum' },
    });
    expect(meter).toMatchObject({ object: 'billing.meter', status: 'active' });
    const product = await stripe.products.create({ name: 'API' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 2,
      recurring: { interval: 'month', usage_type: 'metered', meter: meter.id },
    });
    const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    expect(subscription.status).toBe('active');

    for (const [identifier, value] of [
      ['call-1', '100'],
      ['call-2', '50'],
    ] as const) {
      const event = await stripe.billing.meterEvents.create({
        event_name: 'api_call',
        identifier,
        payload: { stripe_customer_id: customer.id, value },
      });
      expect(event).toMatchObject({ object: 'billing.meter_event', identifier });
    }
    const duplicate = await stripe.billing.meterEvents
      .create({
        event_name: 'api_call',
        identifier: 'call-1',
        payload: { stripe_customer_id: customer.id, value: '100' },
      })
      .catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((duplicate as Stripe.errors.StripeError).message).toBe('An event already exists with identifier call-1.');

    const summaries = await stripe.billing.meters.listEventSummaries(meter.id, {
      customer: customer.id,
      start_time: unix(START),
      end_time: unix(START) + 60,
    });
    expect(summaries.data[0]?.aggregated_value).toBe(150);

    sandbox.clock.set(new Date('2026-03-01T00:00:00Z'));
    const invoices = await stripe.invoices.list({ subscription: subscription.id });
    const cycle = invoices.data[0];
    expect(cycle?.billing_reason).toBe('subscription_cycle');
    expect(cycle?.amount_due).toBe(300);
    expect(cycle?.status).toBe('paid');
  });
});
