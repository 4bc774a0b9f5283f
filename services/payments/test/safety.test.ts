import { streams, subjects } from '@fintech/contracts';
import { readEvents } from '@fintech/testing';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, STRIPE_KEY, startPaymentsFixture, totp, type PaymentsFixture, type TestUser } from './helpers';

let f: PaymentsFixture;
const started = new Date();

beforeAll(async () => {
  f = await startPaymentsFixture({ IDEMPOTENCY_LEASE_MS: '1000' });
});
afterAll(async () => {
  await f?.stop();
});

async function payer(): Promise<{ user: TestUser; card: string }> {
  const user = await f.createUser();
  return { user, card: await f.addCard(user) };
}

function payWith(user: TestUser, card: string, args: Record<string, string | undefined>) {
  return f.client.initiatePayment(
    { source_id: card, destination_id: 'merchant_demo_books', currency: 'USD', ...args },
    { token: user.token },
  );
}

describe('idempotency', () => {
  it('runs 50 concurrent calls with one key once: one PaymentIntent, identical answers', async () => {
    const { user, card } = await payer();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => payWith(user, card, { amount: '42.00', idempotency_key: 'order-42' })),
    );
    const intents = await f.providerIntents(user);
    expect(intents).toHaveLength(1);
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]!.status).toBe('succeeded');
    const payments = await f.payments.deps.prisma.payment.count({ where: { userId: user.id } });
    expect(payments).toBe(1);

    const again = await payWith(user, card, { amount: '42.00', idempotency_key: 'order-42' });
    expect(again).toEqual(answers[0]);
  });

  it('refuses the same key with another amount, naming the key', async () => {
    const { user, card } = await payer();
    await payWith(user, card, { amount: '10.00', idempotency_key: 'same-key' });
    const refused = await failure(payWith(user, card, { amount: '11.00', idempotency_key: 'same-key' }));
    expect(refused).toMatchObject({ reason: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotency_key' });
    expect(refused.message).toContain('"same-key"');
    const onRefund = await failure(
      f.client.processRefund({ payment_id: '00000000-0000-4000-8000-000000000000' }, { token: user.token }),
    );
    expect(onRefund.reason).toBe('NOT_FOUND');
    expect(await f.providerIntents(user)).toHaveLength(1);
  });

  it('treats an identical call without a key as a retry within the window, and as new after it', async () => {
    const { user, card } = await payer();
    const first = await payWith(user, card, { amount: '9.99', description: 'lunch' });
    const retry = await payWith(user, card, { amount: '9.99', description: 'lunch' });
    expect(retry).toEqual(first);
    expect(await f.providerIntents(user)).toHaveLength(1);
    f.clock.offsetMs = 11 * 60 * 1000;
    try {
      const later = await payWith(user, card, { amount: '9.99', description: 'lunch' });
      expect(later.payment?.payment_id).not.toBe(first.payment?.payment_id);
    } finally {
      f.clock.offsetMs = 0;
    }
    expect(await f.providerIntents(user)).toHaveLength(2);
  });

  it('resumes a payment whose response was lost, with the same PaymentIntent', async () => {
    const { user, card } = await payer();
    // Stripe executes the request, then the connection drops before the answer reaches us (twice: the SDK retries
    // a reset connection once by itself, with the same Idempotency-Key).
    f.sandbox.faults.add({ provider: 'stripe', method: 'POST', path: '/v1/payment_intents', drop: 'after', times: 2 });
    const lost = await failure(payWith(user, card, { amount: '15.00', idempotency_key: 'lost-response' }));
    expect(lost.reason).toBe('UNAVAILABLE');
    const retried = await payWith(user, card, { amount: '15.00', idempotency_key: 'lost-response' });
    expect(retried.status).toBe('succeeded');
    const intents = await f.providerIntents(user);
    expect(intents).toHaveLength(1);
    const row = await f.payments.deps.prisma.payment.findUniqueOrThrow({ where: { id: retried.payment!.payment_id } });
    expect(row.stripePaymentIntentId).toBe(intents[0]!.id);
  });
});

describe('limits', () => {
  it('refuses a payment above the per-payment limit and one past the daily total, naming the limit', async () => {
    const { user, card } = await payer();
    await f.payments.deps.prisma.userLimit.create({
      data: { userId: user.id, currency: 'USD', perPaymentMaxMinor: 10_000n, dailyTotalMaxMinor: 15_000n },
    });
    const single = await failure(payWith(user, card, { amount: '100.01' }));
    expect(single).toMatchObject({ reason: 'LIMIT_EXCEEDED', field: 'amount' });
    expect(single.metadata.limit).toBe('per_payment_max');
    expect(single.message).toContain('per-payment limit of 100.00 USD');

    await payWith(user, card, { amount: '100.00' });
    const daily = await failure(payWith(user, card, { amount: '50.01' }));
    expect(daily.metadata).toMatchObject({ limit: 'daily_total_max', remaining_minor: '5000' });
    expect(daily.message).toContain('daily limit of 150.00 USD');
    expect((await payWith(user, card, { amount: '50.00' })).status).toBe('succeeded');
    expect(await f.providerIntents(user)).toHaveLength(2);
  });
});

describe('confirmation above the threshold', () => {
  it('charges nothing until the identical call comes back with the token; refuses replayed, foreign, altered and expired tokens', async () => {
    const { user, card } = await payer();
    const other = await payer();
    const args = { amount: '1500.00', description: 'laptop' };
    const first = await payWith(user, card, args);
    expect(first).toMatchObject({ status: 'confirmation_required', payment: null });
    expect(first.message).toContain('1000.00 USD');
    expect(first.confirmation_token).toMatch(/^conf_/);
    expect(await f.providerIntents(user)).toHaveLength(0);

    const altered = await failure(
      payWith(user, card, { ...args, amount: '1500.01', confirmation_token: first.confirmation_token }),
    );
    expect(altered).toMatchObject({ reason: 'CONFIRMATION_INVALID', field: 'confirmation_token' });
    const foreign = await failure(
      payWith(other.user, other.card, { ...args, confirmation_token: first.confirmation_token }),
    );
    expect(foreign.reason).toBe('CONFIRMATION_INVALID');

    const confirmed = await payWith(user, card, { ...args, confirmation_token: first.confirmation_token });
    expect(confirmed.status).toBe('succeeded');
    expect(await f.providerIntents(user)).toHaveLength(1);

    // A replay of the confirmed call is a retry: same answer, no second charge.
    expect(await payWith(user, card, { ...args, confirmation_token: first.confirmation_token })).toEqual(confirmed);
    // The same token for a new payment (another key) is spent.
    const replayed = await failure(
      payWith(user, card, { ...args, confirmation_token: first.confirmation_token, idempotency_key: 'fresh' }),
    );
    expect(replayed.message).toContain('already used');

    const second = await payWith(user, card, { ...args, description: 'second laptop' });
    await f.payments.deps.pool.query(
      'UPDATE "confirmations" SET "expires_at" = $2 WHERE "user_id" = $1::uuid AND "used_at" IS NULL',
      [user.id, new Date(Date.now() - 1000)],
    );
    const expired = await failure(
      payWith(user, card, { ...args, description: 'second laptop', confirmation_token: second.confirmation_token }),
    );
    expect(expired.message).toContain('expired');
    expect(await f.providerIntents(user)).toHaveLength(1);
  });
});

describe('a key answered with confirmation_required', () => {
  it('is bound to its arguments: another amount under it is refused, the confirmed original pays once', async () => {
    const { user, card } = await payer();
    const args = { amount: '1500.00', description: 'bike', idempotency_key: 'bike-1' };
    const first = await payWith(user, card, args);
    expect(first.status).toBe('confirmation_required');

    const other = await failure(payWith(user, card, { ...args, amount: '20.00' }));
    expect(other).toMatchObject({ reason: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotency_key' });
    expect(other.message).toContain('"bike-1"');
    expect(await f.providerIntents(user)).toHaveLength(0);

    // The repeat without the token asks again (nothing was stored as the key's outcome); either token confirms.
    const again = await payWith(user, card, args);
    expect(again.status).toBe('confirmation_required');
    const confirmed = await payWith(user, card, { ...args, confirmation_token: first.confirmation_token });
    expect(confirmed).toMatchObject({ status: 'succeeded', payment: { amount_decimal: '1500.00' } });
    expect(await payWith(user, card, { ...args, confirmation_token: again.confirmation_token })).toEqual(confirmed);
    expect(await f.providerIntents(user)).toHaveLength(1);
  });

  it('stays bound after a limit refusal too, and the same call works once the limit allows it', async () => {
    const { user, card } = await payer();
    const args = { amount: '120.00', idempotency_key: 'over-limit' };
    await f.payments.deps.pool.query(
      'INSERT INTO "user_limits" ("user_id", "currency", "per_payment_max_minor") VALUES ($1::uuid, $2, $3)',
      [user.id, 'USD', '10000'],
    );
    expect((await failure(payWith(user, card, args))).reason).toBe('LIMIT_EXCEEDED');
    expect((await failure(payWith(user, card, { ...args, amount: '5.00' }))).reason).toBe('IDEMPOTENCY_KEY_REUSED');
    await f.payments.deps.pool.query('DELETE FROM "user_limits" WHERE "user_id" = $1::uuid', [user.id]);
    expect((await payWith(user, card, args)).status).toBe('succeeded');
  });
});

describe('step-up MFA for a new payment method', () => {
  it('needs a current authenticator code once the user has MFA enrolled', async () => {
    const user = await f.createUser();
    const enrolled = await f.authClient.enrollMfa({ user_id: 'me' }, { token: user.token });
    const now = Date.now();
    await f.authClient.confirmMfa({ user_id: 'me', code: totp(enrolled.secret, now) }, { token: user.token });

    const missing = await failure(
      f.client.addPaymentMethod({ user_id: 'me', payment_token: 'pm_card_visa' }, { token: user.token }),
    );
    expect(missing).toMatchObject({ reason: 'MFA_REQUIRED', field: 'mfa_code' });
    const wrong = await failure(
      f.client.addPaymentMethod(
        { user_id: 'me', payment_token: 'pm_card_visa', mfa_code: '000000' },
        { token: user.token },
      ),
    );
    expect(wrong).toMatchObject({ reason: 'MFA_CODE_INVALID', field: 'mfa_code' });
    expect((await f.client.listPaymentMethods({ user_id: 'me' }, { token: user.token })).methods).toHaveLength(0);

    // The enrolment used this time step's code; the next step's code is accepted once.
    const added = await f.client.addPaymentMethod(
      { user_id: 'me', payment_token: 'pm_card_visa', mfa_code: totp(enrolled.secret, now + 30_000) },
      { token: user.token },
    );
    expect(added.method?.brand).toBe('visa');
  });
});

describe('webhooks', () => {
  it('refuses a bad signature and changes nothing', async () => {
    const body = JSON.stringify({ id: 'evt_forged', type: 'payment_intent.succeeded', data: { object: {} } });
    const response = await fetch(f.payments.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': `t=${Math.floor(Date.now() / 1000)},v1=deadbeef`,
      },
      body,
    });
    expect(response.status).toBe(400);
    const unsigned = await fetch(f.payments.webhookUrl, { method: 'POST', body });
    expect(unsigned.status).toBe(400);
    expect(await f.payments.deps.prisma.webhookEvent.count({ where: { id: 'evt_forged' } })).toBe(0);
  });

  it('applies a signed payment_intent.succeeded once: a payment whose answer was lost succeeds and emits its event', async () => {
    const { user, card } = await payer();
    // Stripe charges, the answer never reaches us: the payment stays pending until the webhook tells the outcome.
    f.sandbox.faults.add({ provider: 'stripe', method: 'POST', path: '/v1/payment_intents', drop: 'after', times: 2 });
    expect((await failure(payWith(user, card, { amount: '30.00', idempotency_key: 'via-webhook' }))).reason).toBe(
      'UNAVAILABLE',
    );
    const row = await f.payments.deps.prisma.payment.findFirstOrThrow({ where: { userId: user.id } });
    const intentId = (await f.providerIntents(user))[0]!.id;
    await f.sandbox.flushWebhooks();
    const status = await f.client.getPaymentStatus({ payment_id: row.id }, { token: user.token });
    expect(status.payment?.status).toBe('succeeded');

    // The agent's retry returns the payment as the webhook left it, without a second charge.
    const retried = await payWith(user, card, { amount: '30.00', idempotency_key: 'via-webhook' });
    expect(retried.payment).toMatchObject({ payment_id: row.id, status: 'succeeded' });
    expect(await f.providerIntents(user)).toHaveLength(1);

    const events = await readEvents(f.nats, {
      stream: streams.payments.name,
      subject: subjects.payments.paymentSucceeded,
      since: started,
      done: (list) => list.some((e) => e.data.payment_id === row.id),
      timeoutMs: 5_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const mine = events.filter((e) => e.data.payment_id === row.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.data).toMatchObject({ provider_payment_id: intentId, client: null });
  });

  it('marks a disputed payment and ignores a redelivered event', async () => {
    const { user, card } = await payer();
    const paid = await payWith(user, card, { amount: '60.00' });
    const intentId = (await f.providerIntents(user))[0]!.id;
    f.sandbox.stripe.disputePaymentIntent(intentId, { reason: 'fraudulent' });
    await f.sandbox.flushWebhooks();
    const status = await f.client.getPaymentStatus({ payment_id: paid.payment!.payment_id }, { token: user.token });
    expect(status.payment?.disputed).toBe(true);
    const delivered = f.sandbox.stripe.webhookDeliveries().filter((d) => d.state === 'delivered');
    expect(delivered.length).toBeGreaterThan(0);
  });

  it('counts a refund made at the provider (charge.refunded) in the refunded total and in what is left to refund', async () => {
    const { user, card } = await payer();
    const paid = await payWith(user, card, { amount: '80.00' });
    const intentId = (await f.providerIntents(user))[0]!.id;
    const url = new URL(f.sandbox.urls.stripe);
    const stripe = new Stripe(STRIPE_KEY, {
      host: url.hostname,
      port: Number(url.port),
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    // A refund made outside this service (e.g. from the provider's dashboard) reaches us only as charge.refunded.
    await stripe.refunds.create({ payment_intent: intentId, amount: 30_00 });
    await f.sandbox.flushWebhooks();
    const status = await f.client.getPaymentStatus({ payment_id: paid.payment!.payment_id }, { token: user.token });
    expect(status.payment).toMatchObject({ refund_status: 'partial', amount_refunded: { amount_minor: '3000' } });
    expect(status.refunds).toHaveLength(0);
    // Ours then refunds what is left by the provider's total.
    const rest = await f.client.processRefund({ payment_id: paid.payment!.payment_id }, { token: user.token });
    expect(rest.refund).toMatchObject({ amount: { amount_minor: '5000' }, status: 'succeeded' });
    expect(rest.payment).toMatchObject({ refund_status: 'full', amount_refunded: { amount_minor: '8000' } });
    await f.sandbox.flushWebhooks();
    const after = await f.client.getPaymentStatus({ payment_id: paid.payment!.payment_id }, { token: user.token });
    expect(after.payment?.amount_refunded?.amount_minor).toBe('8000');
  });
});
