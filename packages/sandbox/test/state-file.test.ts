import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Sandbox } from '../src/index.js';
import { startReceiver, startTestSandbox, stripeClient } from './stripe-helpers.js';

let dir: string;
const open: Sandbox[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sandbox-state-'));
});

afterAll(async () => {
  for (const sandbox of open) await sandbox.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function start(stateFile: string, seed = 'persist'): Promise<{ sandbox: Sandbox; stripe: Stripe }> {
  const sandbox = await startTestSandbox({ seed, stateFile });
  open.push(sandbox);
  return { sandbox, stripe: stripeClient(sandbox) };
}

it('a restarted sandbox still knows the customers, cards, payments and idempotency keys it had, and reuses no id', async () => {
  const stateFile = join(dir, 'restart.json');
  const receiver = await startReceiver();
  const first = await start(stateFile);
  const customer = await first.stripe.customers.create({ email: 'ada@example.com' });
  const card = await first.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  const pay = () =>
    first.stripe.paymentIntents.create(
      { amount: 1250, currency: 'usd', customer: customer.id, payment_method: card.id, confirm: true },
      { idempotencyKey: 'order-1' },
    );
  const paid = await pay();
  expect(paid.status).toBe('succeeded');
  const endpoint = first.sandbox.stripe.addWebhookEndpoint(receiver.url, 'whsec_kept_secret');
  await first.sandbox.close();

  const second = await start(stateFile);
  expect((await second.stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({
    id: customer.id,
    email: 'ada@example.com',
  });
  const methods = await second.stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
  expect(methods.data.map((m) => m.id)).toEqual([card.id]);
  // Stripe's idempotency: the same key and parameters replay the first answer, no second charge.
  const replayed = await second.stripe.paymentIntents.create(
    { amount: 1250, currency: 'usd', customer: customer.id, payment_method: card.id, confirm: true },
    { idempotencyKey: 'order-1' },
  );
  expect(replayed.id).toBe(paid.id);
  expect((await second.stripe.paymentIntents.list({ limit: 100 })).data.map((p) => p.id)).toEqual([paid.id]);

  // Ids continue from where the first run stopped instead of starting the seeded sequence over.
  const another = await second.stripe.customers.create({ email: 'grace@example.com' });
  expect(another.id).not.toBe(customer.id);
  const refund = await second.stripe.refunds.create({ payment_intent: paid.id, amount: 250 });
  expect(refund.status).toBe('succeeded');
  // The restored card still behaves as its test card: a new payment with it succeeds.
  const again = await second.stripe.paymentIntents.create({
    amount: 990,
    currency: 'usd',
    customer: customer.id,
    payment_method: card.id,
    confirm: true,
  });
  expect(again.status).toBe('succeeded');

  // Webhooks still reach the endpoint, signed with the secret it was registered with.
  await second.sandbox.flushWebhooks();
  const delivered = receiver.received.length;
  await second.stripe.customers.create({ email: 'hopper@example.com' });
  await second.sandbox.flushWebhooks();
  const last = receiver.received.at(-1)!;
  expect(receiver.received.length).toBeGreaterThan(delivered);
  expect(
    Stripe.webhooks.constructEvent(last.body, String(last.headers['stripe-signature']), 'whsec_kept_secret').type,
  ).toBe('customer.created');
  expect((await second.stripe.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([endpoint.id]);
  await second.sandbox.close();
  await receiver.close();
});

it('writes changes without waiting for close, so a killed sandbox keeps what it answered', async () => {
  const stateFile = join(dir, 'no-close.json');
  const { stripe } = await start(stateFile);
  const customer = await stripe.customers.create({ email: 'kept@example.com' });
  let saved = '';
  for (let i = 0; i < 50 && !saved.includes(customer.id); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    saved = await readFile(stateFile, 'utf8').catch(() => '');
  }
  expect(saved).toContain(customer.id);
});

it('refuses a state file of another seed instead of handing out ids its objects already use', async () => {
  const stateFile = join(dir, 'other-seed.json');
  const { sandbox } = await start(stateFile, 'seed-a');
  await stripeClient(sandbox).customers.create({ email: 'a@example.com' });
  await sandbox.close();
  await expect(startTestSandbox({ seed: 'seed-b', stateFile })).rejects.toThrow(/seed "seed-a"/);
  await writeFile(stateFile, '{"version": 99, "seed": "seed-a", "emulators": {}}');
  await expect(startTestSandbox({ seed: 'seed-a', stateFile })).rejects.toThrow(/version 99/);
});
