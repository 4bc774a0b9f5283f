import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClock, createRandom, type Sandbox } from '../src/index.js';
import { startTestSandbox, stripeClient } from './stripe-helpers.js';

describe('clock', () => {
  it('follows real time, then stays where it is set, moves when advanced and follows real time when released', () => {
    const clock = createClock();
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(1000);
    clock.set(new Date('2030-01-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
    clock.advance(60_000);
    expect(clock.now().toISOString()).toBe('2030-01-01T00:01:00.000Z');
    clock.release();
    clock.advance(3_600_000);
    expect(clock.now().getTime() - Date.now()).toBeGreaterThan(3_500_000);
  });
});

describe('seeded random', () => {
  it('repeats its sequence for a seed and keeps id streams per prefix', () => {
    const a = createRandom('seed-1');
    const b = createRandom('seed-1');
    expect([a.next(), a.int(1, 6), a.base62(10)]).toEqual([b.next(), b.int(1, 6), b.base62(10)]);
    expect(createRandom('seed-2').next()).not.toBe(createRandom('seed-1').next());

    const first = createRandom('ids');
    const second = createRandom('ids');
    first.idFor('ch');
    expect(first.idFor('cus', 14)).toBe(second.idFor('cus', 14));
    expect(second.idFor('cus', 14)).toMatch(/^cus_[0-9A-Za-z]{14}$/);
  });
});

describe('sandbox', () => {
  let sandbox: Sandbox;
  let stripe: Stripe;

  beforeAll(async () => {
    sandbox = await startTestSandbox({ seed: 'core-test' });
    stripe = stripeClient(sandbox);
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const admin = (path: string, init?: { method?: string; body?: unknown }) =>
    fetch(`${sandbox.urls.admin}${path}`, {
      method: init?.method ?? 'GET',
      headers: init?.body === undefined ? {} : { 'content-type': 'application/json' },
      body: init?.body === undefined ? undefined : JSON.stringify(init.body),
    });

  async function failure(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
      () => {
        throw new Error('expected the request to fail');
      },
      (error: unknown) => error,
    );
  }

  it('listens on free ports and reports health', async () => {
    for (const port of Object.values(sandbox.ports)) expect(port).toBeGreaterThan(0);
    const health = (await (await admin('/health')).json()) as { status: string; urls: Record<string, string> };
    expect(health.status).toBe('ok');
    expect(health.urls.stripe).toBe(sandbox.urls.stripe);
  });

  it('gives the same ids for the same calls with the same seed, also after reset', async () => {
    const run = async (client: Stripe) => {
      const customer = await client.customers.create({ email: 'same@example.com' });
      const intent = await client.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        customer: customer.id,
        payment_method: 'pm_card_visa',
        confirm: true,
      });
      return [customer.id, intent.id, intent.latest_charge, intent.payment_method];
    };
    const other = await startTestSandbox({ seed: 'core-test' });
    const different = await startTestSandbox({ seed: 'another-seed' });
    try {
      const ids = await run(stripe);
      expect(await run(stripeClient(other))).toEqual(ids);
      expect(await run(stripeClient(different))).not.toEqual(ids);
      sandbox.reset();
      expect(await run(stripe)).toEqual(ids);
    } finally {
      await Promise.all([other.close(), different.close()]);
    }
  });

  it('resets state and moves the clock through the admin API', async () => {
    const customer = await stripe.customers.create({});
    expect((await admin('/reset', { method: 'POST' })).status).toBe(200);
    const error = await failure(stripe.customers.retrieve(customer.id));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);

    const set = await admin('/clock', { method: 'POST', body: { at: '2031-05-01T00:00:00Z' } });
    expect(await set.json()).toEqual({ now: '2031-05-01T00:00:00.000Z' });
    expect((await stripe.customers.create({})).created).toBe(Date.UTC(2031, 4, 1) / 1000);
    await admin('/clock', { method: 'POST', body: { advance_ms: 1000 } });
    expect(sandbox.clock.now().toISOString()).toBe('2031-05-01T00:00:01.000Z');
    await admin('/clock', { method: 'POST', body: { release: true } });
    expect(Math.abs(sandbox.clock.now().getTime() - Date.now())).toBeLessThan(1000);
    expect((await admin('/clock', { method: 'POST', body: {} })).status).toBe(400);
  });

  it('opens a dispute through the Stripe admin helper', async () => {
    const intent = await stripe.paymentIntents.create({
      amount: 800,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    const response = await admin(`/stripe/payment_intents/${intent.id}/dispute`, { method: 'POST', body: {} });
    expect(response.status).toBe(200);
    const dispute = (await response.json()) as { id: string; charge: string };
    expect(dispute.charge).toBe(intent.latest_charge);
  });

  describe('faults', () => {
    it('surfaces a 500 as StripeAPIError and clears after `times`', async () => {
      sandbox.faults.add({ provider: 'stripe', method: 'POST', path: '/v1/customers', status: 500, times: 1 });
      const error = await failure(stripe.customers.create({}));
      expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
      expect((error as Stripe.errors.StripeError).statusCode).toBe(500);
      expect(sandbox.faults.list()).toHaveLength(0);
      expect((await stripe.customers.create({})).id).toMatch(/^cus_/);
    });

    it('surfaces a 429 as StripeRateLimitError', async () => {
      sandbox.faults.add({ path: '/v1/payment_intents/**', status: 429 });
      const intent = await stripe.paymentIntents.create({ amount: 500, currency: 'usd' });
      const error = await failure(stripe.paymentIntents.retrieve(intent.id));
      expect(error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
      expect((error as Stripe.errors.StripeError).code).toBe('rate_limit');
    });

    it('only touches the provider it names', async () => {
      sandbox.faults.add({ provider: 'plaid', path: '/**', status: 503 });
      expect((await stripe.customers.create({})).id).toMatch(/^cus_/);
    });

    it('delays requests', async () => {
      sandbox.faults.add({ path: '/v1/customers', method: 'GET', latencyMs: 150, times: 1 });
      const started = performance.now();
      await stripe.customers.list();
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    });

    it('drops the connection without a response', async () => {
      // stripe-node retries a reset connection once even with maxNetworkRetries: 0, so two drops reach the caller.
      sandbox.faults.add({ path: '/v1/customers', method: 'POST', drop: true, times: 2 });
      const error = await failure(stripe.customers.create({}));
      expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);

      sandbox.faults.add({ path: '/v1/customers', method: 'POST', drop: true, times: 1 });
      const customer = await stripe.customers.create({ email: 'after-drop@example.com' });
      expect(customer.email).toBe('after-drop@example.com');
      expect((await stripe.customers.list()).data).toHaveLength(1);
    });

    it('loses the response of a handled request, which a retry with the same idempotency key recovers', async () => {
      sandbox.faults.add({ path: '/v1/payment_intents', method: 'POST', drop: 'after', times: 2 });
      const params = { amount: 1500, currency: 'usd', payment_method: 'pm_card_visa', confirm: true };
      const error = await failure(stripe.paymentIntents.create(params, { idempotencyKey: 'order-9' }));
      expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
      const recovered = await stripe.paymentIntents.create(params, { idempotencyKey: 'order-9' });
      expect(recovered.lastResponse.headers['idempotent-replayed']).toBe('true');
      expect(recovered.status).toBe('succeeded');
      expect((await stripe.paymentIntents.list()).data.map((intent) => intent.id)).toEqual([recovered.id]);
    });

    it('is set and cleared through the admin API', async () => {
      const created = await admin('/faults', {
        method: 'POST',
        body: { provider: 'stripe', path: '/v1/customers/:id', method: 'GET', status: 503 },
      });
      expect(created.status).toBe(201);
      const customer = await stripe.customers.create({});
      const error = await failure(stripe.customers.retrieve(customer.id));
      expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
      expect((error as Stripe.errors.StripeError).statusCode).toBe(503);

      const listed = (await (await admin('/faults')).json()) as { faults: unknown[] };
      expect(listed.faults).toHaveLength(1);
      expect((await admin('/faults', { method: 'DELETE' })).status).toBe(200);
      expect((await stripe.customers.retrieve(customer.id)).id).toBe(customer.id);
      expect((await admin('/faults', { method: 'POST', body: { path: '/x', status: 418 } })).status).toBe(400);
    });
  });
});
