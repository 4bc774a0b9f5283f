import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { API_KEY, startTestSandbox, stripeClient } from './stripe-helpers.js';

let sandbox: Sandbox;
let stripe: Stripe;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  stripe = stripeClient(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

async function customerWithCard(token = 'pm_card_visa') {
  const customer = await stripe.customers.create({ email: 'ada@example.com', name: 'Ada' });
  const paymentMethod = await stripe.paymentMethods.attach(token, { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: paymentMethod.id } });
  return { customer, paymentMethod };
}

async function captureError(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('customers and payment methods', () => {
  it('attaches a test card as a fresh PaymentMethod with card details and sets it as default', async () => {
    const { customer, paymentMethod } = await customerWithCard();
    expect(paymentMethod.id).toMatch(/^pm_[0-9A-Za-z]{24}$/);
    expect(paymentMethod.customer).toBe(customer.id);
    expect(paymentMethod.card).toMatchObject({ brand: 'visa', last4: '4242', funding: 'credit', country: 'US' });
    expect(paymentMethod.card?.exp_year).toBeGreaterThan(new Date().getUTCFullYear());

    const again = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    expect(again.id).not.toBe(paymentMethod.id);
    expect(again.card?.fingerprint).toBe(paymentMethod.card?.fingerprint);

    const fetched = await stripe.customers.retrieve(customer.id);
    expect(fetched.deleted).toBeUndefined();
    expect((fetched as Stripe.Customer).invoice_settings.default_payment_method).toBe(paymentMethod.id);

    const listed = await stripe.customers.listPaymentMethods(customer.id, { type: 'card' });
    expect(listed.data.map((pm) => pm.id)).toEqual([again.id, paymentMethod.id]);
    const byQuery = await stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
    expect(byQuery.data).toHaveLength(2);

    const detached = await stripe.paymentMethods.detach(paymentMethod.id);
    expect(detached.customer).toBeNull();
    const afterDetach = (await stripe.customers.retrieve(customer.id)) as Stripe.Customer;
    expect(afterDetach.invoice_settings.default_payment_method).toBeNull();
  });

  it('updates and deletes customers, and answers 404 with resource_missing for unknown ids', async () => {
    const customer = await stripe.customers.create({ metadata: { user_id: 'u1', plan: 'free' } });
    const updated = await stripe.customers.update(customer.id, { metadata: { plan: '' }, email: 'x@example.com' });
    expect(updated.metadata).toEqual({ user_id: 'u1' });
    expect(updated.email).toBe('x@example.com');

    expect(await stripe.customers.del(customer.id)).toMatchObject({ id: customer.id, deleted: true });
    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({ id: customer.id, deleted: true });

    const error = await captureError(stripe.customers.retrieve('cus_doesnotexist'));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('resource_missing');
    expect(error.message).toBe("No such customer: 'cus_doesnotexist'");
  });

  it('refuses to attach a card that declines on validation', async () => {
    const customer = await stripe.customers.create({});
    const error = await captureError(stripe.paymentMethods.attach('pm_card_chargeDeclined', { customer: customer.id }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error.decline_code).toBe('generic_decline');
  });

  it('confirms a SetupIntent and attaches its card to the customer', async () => {
    const customer = await stripe.customers.create({});
    const setup = await stripe.setupIntents.create({
      customer: customer.id,
      payment_method: 'pm_card_mastercard',
      confirm: true,
      usage: 'off_session',
    });
    expect(setup.status).toBe('succeeded');
    const paymentMethod = await stripe.paymentMethods.retrieve(setup.payment_method as string);
    expect(paymentMethod.customer).toBe(customer.id);
    expect(paymentMethod.card?.last4).toBe('4444');
  });

  it('requires a test-mode secret key', async () => {
    const live = new Stripe('sk_live_abcdefghijklmnop', {
      host: '127.0.0.1',
      port: sandbox.ports.stripe,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const error = await captureError(live.customers.list());
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(error.message).toMatch(/^Invalid API Key provided: sk_live_/);
  });
});

describe('payment intents', () => {
  it('pays with a saved card: succeeded, with a captured charge', async () => {
    const { customer, paymentMethod } = await customerWithCard();
    const intent = await stripe.paymentIntents.create({
      amount: 2500,
      currency: 'usd',
      customer: customer.id,
      payment_method: paymentMethod.id,
      confirm: true,
      off_session: true,
      description: 'Order 42',
      metadata: { order_id: '42' },
      transfer_data: { destination: 'acct_1Seller' },
    });
    expect(intent.status).toBe('succeeded');
    expect(intent.amount_received).toBe(2500);
    expect(intent.latest_charge).toMatch(/^ch_/);
    expect(intent.metadata).toEqual({ order_id: '42' });
    expect(intent.created).toBeGreaterThan(0);
    expect(intent.livemode).toBe(false);

    const charge = await stripe.charges.retrieve(intent.latest_charge as string);
    expect(charge).toMatchObject({
      amount: 2500,
      amount_captured: 2500,
      amount_refunded: 0,
      refunded: false,
      captured: true,
      status: 'succeeded',
      payment_intent: intent.id,
      customer: customer.id,
    });
    expect(charge.payment_method_details?.card?.last4).toBe('4242');

    const expanded = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    expect((expanded.latest_charge as Stripe.Charge).id).toBe(charge.id);
  });

  it('confirms in two steps and lists by customer', async () => {
    const { customer, paymentMethod } = await customerWithCard('pm_card_amex');
    const created = await stripe.paymentIntents.create({ amount: 1000, currency: 'eur', customer: customer.id });
    expect(created.status).toBe('requires_payment_method');
    expect(created.client_secret).toMatch(new RegExp(`^${created.id}_secret_`));
    const withMethod = await stripe.paymentIntents.update(created.id, { payment_method: paymentMethod.id });
    expect(withMethod.status).toBe('requires_confirmation');
    const confirmed = await stripe.paymentIntents.confirm(created.id);
    expect(confirmed.status).toBe('succeeded');

    const listed = await stripe.paymentIntents.list({ customer: customer.id });
    expect(listed.data.map((intent) => intent.id)).toEqual([created.id]);
  });

  it('raises StripeCardError with the decline code and keeps the intent for another attempt', async () => {
    const customer = await stripe.customers.create({});
    const error = await captureError(
      stripe.paymentIntents.create({
        amount: 5000,
        currency: 'usd',
        customer: customer.id,
        payment_method: 'pm_card_chargeDeclinedInsufficientFunds',
        confirm: true,
      }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error.statusCode).toBe(402);
    expect(error.code).toBe('card_declined');
    expect(error.decline_code).toBe('insufficient_funds');
    expect(error.message).toBe('Your card has insufficient funds.');
    const failed = error.payment_intent as Stripe.PaymentIntent;
    expect(failed.status).toBe('requires_payment_method');
    expect(failed.last_payment_error?.decline_code).toBe('insufficient_funds');

    const stored = await stripe.paymentIntents.retrieve(failed.id);
    expect(stored.status).toBe('requires_payment_method');
    const charge = await stripe.charges.retrieve(stored.latest_charge as string);
    expect(charge.status).toBe('failed');
    expect(charge.failure_code).toBe('card_declined');

    const retried = await stripe.paymentIntents.confirm(failed.id, { payment_method: 'pm_card_visa' });
    expect(retried.status).toBe('succeeded');
  });

  it('declines a saved card at charge time with generic_decline', async () => {
    const { customer, paymentMethod } = await customerWithCard('pm_card_chargeCustomerFail');
    const error = await captureError(
      stripe.paymentIntents.create({
        amount: 900,
        currency: 'usd',
        customer: customer.id,
        payment_method: paymentMethod.id,
        confirm: true,
        off_session: true,
      }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error.decline_code).toBe('generic_decline');
  });

  it('asks for 3D Secure on session and fails with authentication_required off session', async () => {
    const onSession = await stripe.paymentIntents.create({
      amount: 3000,
      currency: 'usd',
      payment_method: 'pm_card_authenticationRequired',
      confirm: true,
      return_url: 'https://example.com/return',
    });
    expect(onSession.status).toBe('requires_action');
    expect(onSession.next_action?.type).toBe('redirect_to_url');
    const completed = sandbox.stripe.completeAuthentication(onSession.id);
    expect(completed.status).toBe('succeeded');
    expect((await stripe.paymentIntents.retrieve(onSession.id)).status).toBe('succeeded');

    const { customer, paymentMethod } = await customerWithCard('pm_card_threeDSecure2Required');
    const error = await captureError(
      stripe.paymentIntents.create({
        amount: 3000,
        currency: 'usd',
        customer: customer.id,
        payment_method: paymentMethod.id,
        confirm: true,
        off_session: true,
      }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error.code).toBe('authentication_required');
  });

  it('captures a manual authorization partially and cancels another', async () => {
    const { customer, paymentMethod } = await customerWithCard();
    const authorized = await stripe.paymentIntents.create({
      amount: 10000,
      currency: 'usd',
      customer: customer.id,
      payment_method: paymentMethod.id,
      capture_method: 'manual',
      confirm: true,
    });
    expect(authorized.status).toBe('requires_capture');
    expect(authorized.amount_capturable).toBe(10000);

    const tooMuch = await captureError(stripe.paymentIntents.capture(authorized.id, { amount_to_capture: 10001 }));
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooMuch.param).toBe('amount_to_capture');

    const captured = await stripe.paymentIntents.capture(authorized.id, { amount_to_capture: 6000 });
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 6000, amount_capturable: 0 });
    const charge = await stripe.charges.retrieve(captured.latest_charge as string);
    expect(charge).toMatchObject({ captured: true, amount_captured: 6000 });

    const again = await captureError(stripe.paymentIntents.capture(authorized.id));
    expect(again.code).toBe('payment_intent_unexpected_state');

    const other = await stripe.paymentIntents.create({
      amount: 500,
      currency: 'usd',
      customer: customer.id,
      payment_method: paymentMethod.id,
      capture_method: 'manual',
      confirm: true,
    });
    const canceled = await stripe.paymentIntents.cancel(other.id, { cancellation_reason: 'abandoned' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
    const cancelAgain = await captureError(stripe.paymentIntents.cancel(other.id));
    expect(cancelAgain.code).toBe('payment_intent_unexpected_state');
    expect(cancelAgain.message).toMatch(/because it has a status of canceled/);
  });

  it('rejects amounts under the currency minimum and missing parameters', async () => {
    const small = await captureError(stripe.paymentIntents.create({ amount: 10, currency: 'usd' }));
    expect(small.code).toBe('amount_too_small');
    const missing = await captureError(
      stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams),
    );
    expect(missing.code).toBe('parameter_missing');
    expect(missing.param).toBe('amount');
  });
});

describe('refunds', () => {
  async function paid(amount: number) {
    return stripe.paymentIntents.create({ amount, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
  }

  it('refunds partially up to the captured amount, then refuses', async () => {
    const intent = await paid(2000);
    const first = await stripe.refunds.create({
      payment_intent: intent.id,
      amount: 500,
      reason: 'requested_by_customer',
    });
    expect(first).toMatchObject({
      amount: 500,
      status: 'succeeded',
      payment_intent: intent.id,
      reason: 'requested_by_customer',
    });
    const over = await captureError(stripe.refunds.create({ payment_intent: intent.id, amount: 1600 }));
    expect(over).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(over.statusCode).toBe(400);
    expect(over.message).toBe('Refund amount ($16.00) is greater than unrefunded amount on charge ($15.00)');

    const rest = await stripe.refunds.create({ charge: intent.latest_charge as string });
    expect(rest.amount).toBe(1500);
    const charge = await stripe.charges.retrieve(intent.latest_charge as string);
    expect(charge).toMatchObject({ amount_refunded: 2000, refunded: true });
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('succeeded');

    const listed = await stripe.refunds.list({ payment_intent: intent.id });
    expect(listed.data.map((refund) => refund.id)).toEqual([rest.id, first.id]);
    const done = await captureError(stripe.refunds.create({ payment_intent: intent.id, amount: 1 }));
    expect(done.code).toBe('charge_already_refunded');
  });

  it('words an over-refund of an untouched charge as Stripe does', async () => {
    const intent = await paid(1000);
    const error = await captureError(stripe.refunds.create({ payment_intent: intent.id, amount: 1200 }));
    expect(error.message).toBe('Refund amount ($12.00) is greater than charge amount ($10.00)');
    expect(error.param).toBe('amount');
  });
});

describe('idempotency', () => {
  it('replays the saved response for the same key and parameters', async () => {
    const first = await stripe.customers.create({ email: 'same@example.com' }, { idempotencyKey: 'signup-1' });
    const second = await stripe.customers.create({ email: 'same@example.com' }, { idempotencyKey: 'signup-1' });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await stripe.customers.list()).data).toHaveLength(1);
  });

  it('raises StripeIdempotencyError when the key is reused with other parameters', async () => {
    await stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'k-1' });
    const error = await captureError(stripe.customers.create({ email: 'b@example.com' }, { idempotencyKey: 'k-1' }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error.statusCode).toBe(400);
    expect(error.message).toMatch(/same parameters they were first used with/);
  });

  it('replays a decline rather than charging again', async () => {
    const params = { amount: 700, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true };
    const first = await captureError(stripe.paymentIntents.create(params, { idempotencyKey: 'pay-1' }));
    const second = await captureError(stripe.paymentIntents.create(params, { idempotencyKey: 'pay-1' }));
    expect(second).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect((second.payment_intent as Stripe.PaymentIntent).id).toBe((first.payment_intent as Stripe.PaymentIntent).id);
    expect((await stripe.paymentIntents.list()).data).toHaveLength(1);
  });

  it('creates one object for concurrent requests with the same key', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        stripe.paymentIntents.create(
          { amount: 1200, currency: 'usd', payment_method: 'pm_card_visa', confirm: true },
          { idempotencyKey: 'checkout-7' },
        ),
      ),
    );
    expect(new Set(results.map((intent) => intent.id)).size).toBe(1);
    expect((await stripe.paymentIntents.list()).data).toHaveLength(1);
  });

  it('scopes keys per API key', async () => {
    const other = stripeClient(sandbox, `${API_KEY}_other`);
    const mine = await stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'shared' });
    const theirs = await other.customers.create({ email: 'b@example.com' }, { idempotencyKey: 'shared' });
    expect(theirs.id).not.toBe(mine.id);
  });
});

describe('lists', () => {
  it('pages newest first with limit, starting_after, ending_before and auto-pagination', async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i += 1) created.push((await stripe.customers.create({ name: `c${i}` })).id);
    const newestFirst = [...created].reverse();

    const page1 = await stripe.customers.list({ limit: 3 });
    expect(page1).toMatchObject({ object: 'list', has_more: true, url: '/v1/customers' });
    expect(page1.data.map((c) => c.id)).toEqual(newestFirst.slice(0, 3));
    const page2 = await stripe.customers.list({ limit: 3, starting_after: page1.data[2]?.id });
    expect(page2.data.map((c) => c.id)).toEqual(newestFirst.slice(3, 6));
    const page3 = await stripe.customers.list({ limit: 3, starting_after: page2.data[2]?.id });
    expect(page3.data.map((c) => c.id)).toEqual(newestFirst.slice(6));
    expect(page3.has_more).toBe(false);
    const before = await stripe.customers.list({ limit: 2, ending_before: page2.data[0]?.id });
    expect(before.data.map((c) => c.id)).toEqual(newestFirst.slice(1, 3));

    const all = await stripe.customers.list({ limit: 2 }).autoPagingToArray({ limit: 100 });
    expect(all.map((c) => c.id)).toEqual(newestFirst);
  });

  it('rejects a limit outside 1-100', async () => {
    const error = await captureError(stripe.customers.list({ limit: 101 }));
    expect(error.param).toBe('limit');
  });
});

describe('disputes', () => {
  it('opens a dispute from the test helper and emits charge.dispute.created', async () => {
    const intent = await stripe.paymentIntents.create({
      amount: 4200,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    const dispute = sandbox.stripe.disputePaymentIntent(intent.id);
    expect(await stripe.disputes.retrieve(dispute.id)).toMatchObject({ amount: 4200, status: 'needs_response' });
    const events = await stripe.events.list({ type: 'charge.dispute.created' });
    expect((events.data[0]?.data.object as Stripe.Dispute).id).toBe(dispute.id);
    expect((await stripe.charges.retrieve(intent.latest_charge as string)).disputed).toBe(true);
  });
});
