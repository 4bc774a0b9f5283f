import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { startReceiver, startTestSandbox, stripeClient } from './stripe-helpers.js';

let sandbox: Sandbox;
let stripe: Stripe;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  stripe = stripeClient(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());
afterEach(() => receiver?.close());

describe('webhooks', () => {
  it('signs deliveries so stripe.webhooks.constructEvent verifies them, and refuses a tampered body', async () => {
    receiver = await startReceiver();
    const endpoint = await stripe.webhookEndpoints.create({
      url: receiver.url,
      enabled_events: ['payment_intent.succeeded', 'charge.refunded', 'refund.created'],
    });
    expect(endpoint.secret).toMatch(/^whsec_[0-9A-Za-z]{32}$/);
    expect((await stripe.webhookEndpoints.retrieve(endpoint.id)).secret).toBeUndefined();

    const intent = await stripe.paymentIntents.create({
      amount: 1999,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    await stripe.refunds.create({ payment_intent: intent.id, amount: 999 });
    await sandbox.flushWebhooks();

    const events = receiver.received.map((delivery) =>
      stripe.webhooks.constructEvent(
        delivery.body,
        delivery.headers['stripe-signature'] as string,
        endpoint.secret as string,
      ),
    );
    expect(events.map((event) => event.type).sort()).toEqual([
      'charge.refunded',
      'payment_intent.succeeded',
      'refund.created',
    ]);
    const succeeded = events.find((event) => event.type === 'payment_intent.succeeded');
    expect((succeeded?.data.object as Stripe.PaymentIntent).id).toBe(intent.id);
    const refunded = events.find((event) => event.type === 'charge.refunded');
    expect((refunded?.data.object as Stripe.Charge).amount_refunded).toBe(999);
    expect(refunded?.data.previous_attributes).toMatchObject({ amount_refunded: 0 });

    const stored = await stripe.events.retrieve(succeeded?.id ?? '');
    expect(stored.type).toBe('payment_intent.succeeded');

    const original = receiver.received[0];
    const tampered = original?.body.replace('"livemode": false', '"livemode": true') ?? '';
    expect(tampered).not.toBe(original?.body);
    expect(() =>
      stripe.webhooks.constructEvent(
        tampered,
        original?.headers['stripe-signature'] as string,
        endpoint.secret as string,
      ),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);
    expect(() =>
      stripe.webhooks.constructEvent(
        original?.body ?? '',
        original?.headers['stripe-signature'] as string,
        'whsec_wrong',
      ),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  it('delivers to an endpoint registered with a known secret, retrying after a failure', async () => {
    receiver = await startReceiver({ failFirst: 1 });
    const secret = 'whsec_service_configured_secret';
    sandbox.stripe.addWebhookEndpoint(receiver.url, secret, ['customer.created', 'payment_method.attached']);
    const customer = await stripe.customers.create({ email: 'hook@example.com' });
    await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await sandbox.flushWebhooks();

    expect(receiver.attempts()).toBe(3);
    const types = receiver.received.map(
      (delivery) =>
        stripe.webhooks.constructEvent(delivery.body, delivery.headers['stripe-signature'] as string, secret).type,
    );
    expect(types.sort()).toEqual(['customer.created', 'payment_method.attached']);
    expect(sandbox.stripe.webhookDeliveries().every((delivery) => delivery.state === 'delivered')).toBe(true);
  });

  it('gives up after the configured retries when the receiver keeps failing', async () => {
    receiver = await startReceiver({ failFirst: 100 });
    sandbox.stripe.addWebhookEndpoint(receiver.url, 'whsec_x', ['customer.created']);
    await stripe.customers.create({});
    await sandbox.flushWebhooks();
    const [delivery] = sandbox.stripe.webhookDeliveries();
    expect(delivery).toMatchObject({ state: 'failed', attempts: 3, lastStatus: 500 });
  });

  it('lists endpoints and stops delivering once one is deleted', async () => {
    receiver = await startReceiver();
    const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
    expect((await stripe.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([endpoint.id]);
    await stripe.webhookEndpoints.del(endpoint.id);
    await stripe.customers.create({});
    await sandbox.flushWebhooks();
    expect(receiver.received).toHaveLength(0);
  });
});
