import { streams, subjects } from '@fintech/contracts';
import { readEvents } from '@fintech/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, startPaymentsFixture, type PaymentsFixture, type TestUser } from './helpers';

let f: PaymentsFixture;
let alice: TestUser;
let bob: TestUser;
let aliceCard: string;
const started = new Date();

beforeAll(async () => {
  f = await startPaymentsFixture();
  alice = await f.createUser();
  bob = await f.createUser();
  aliceCard = await f.addCard(alice);
  await f.addCard(bob, 'pm_card_mastercard');
});
afterAll(async () => {
  await f?.stop();
});

const pay = (user: TestUser, args: Record<string, string>) =>
  f.client.initiatePayment(
    { source_id: aliceCard, destination_id: 'merchant_demo_coffee', currency: 'USD', ...args },
    { token: user.token, metadata: { 'x-client-ip': '203.0.113.7', 'x-client-user-agent': 'vitest-agent/1.0' } },
  );

describe('payment methods', () => {
  it('saves a card through a SetupIntent: brand, last4, expiry and fingerprint only; the first is the default', async () => {
    const { methods } = await f.client.listPaymentMethods({ user_id: 'me' }, { token: alice.token });
    expect(methods).toHaveLength(1);
    expect(methods[0]).toMatchObject({
      method_id: aliceCard,
      brand: 'visa',
      last4: '4242',
      is_default: true,
      type: 'card',
    });
    expect(methods[0]!.fingerprint).not.toBe('');
    expect(JSON.stringify(methods)).not.toMatch(/4242424242424242/);
    const added = await readEvents(f.nats, {
      stream: streams.payments.name,
      subject: subjects.payments.methodAdded,
      since: started,
      done: (list) => list.some((e) => e.data.method_id === aliceCard),
      timeoutMs: 5_000,
    });
    expect(added.find((e) => e.data.method_id === aliceCard)?.data).toMatchObject({
      user_id: alice.id,
      brand: 'visa',
      last4: '4242',
      fingerprint: methods[0]!.fingerprint,
      step_up_verified: false,
    });

    const second = await f.client.addPaymentMethod(
      { user_id: 'me', payment_token: 'pm_card_amex', set_default: true },
      { token: alice.token },
    );
    expect(second.method).toMatchObject({ brand: 'amex', last4: '0005', is_default: true });
    const after = await f.client.listPaymentMethods({ user_id: alice.id }, { token: alice.token });
    expect(after.methods.filter((m) => m.is_default).map((m) => m.method_id)).toEqual([second.method!.method_id]);
  });

  it('refuses a token that is not a provider token, naming the field', async () => {
    const refused = await failure(
      f.client.addPaymentMethod({ user_id: 'me', payment_token: '4242424242424242' }, { token: alice.token }),
    );
    expect(refused).toMatchObject({ reason: 'VALIDATION_FAILED', field: 'payment_token' });
  });
});

describe('payments', () => {
  it('pays a merchant, reads status and history, and publishes created and succeeded once', async () => {
    const result = await pay(alice, { amount: '12.50', description: 'beans', idempotency_key: 'coffee-1' });
    expect(result.status).toBe('succeeded');
    expect(result.payment).toMatchObject({
      amount: { amount_minor: '1250', currency: 'USD' },
      amount_decimal: '12.50',
      status: 'succeeded',
      refund_status: 'none',
      destination: { payee_id: 'merchant_demo_coffee', type: 'merchant', display_name: 'Demo Coffee Roasters' },
      source_display: 'visa ••4242',
    });
    const paymentId = result.payment!.payment_id;

    const status = await f.client.getPaymentStatus({ payment_id: paymentId }, { token: alice.token });
    expect(status.payment).toMatchObject({ payment_id: paymentId, status: 'succeeded' });
    const history = await f.client.getPaymentHistory({ user_id: 'me' }, { token: alice.token });
    expect(history.payments.map((p) => p.payment_id)).toContain(paymentId);

    const intents = await f.providerIntents(alice);
    expect(intents.filter((i) => i.amount === 1250)).toHaveLength(1);

    await f.sandbox.flushWebhooks();
    const events = await readEvents(f.nats, {
      stream: streams.payments.name,
      subject: 'fintech.payments.payment.>',
      since: started,
      done: (list) => list.filter((e) => e.data.payment_id === paymentId).length >= 2,
      timeoutMs: 5_000,
    });
    const mine = events.filter((e) => e.data.payment_id === paymentId);
    expect(mine.map((e) => e.type).sort()).toEqual([
      subjects.payments.paymentCreated,
      subjects.payments.paymentSucceeded,
    ]);
    expect(mine[0]!.data).toMatchObject({
      user_id: alice.id,
      amount_minor: '1250',
      currency: 'USD',
      counterparty: { type: 'merchant', id: 'merchant_demo_coffee' },
      method: { brand: 'visa', last4: '4242' },
      client: { ip: '203.0.113.7', user_agent: 'vitest-agent/1.0' },
    });
    expect(JSON.stringify(mine)).not.toMatch(/4242424242424242|cvc/i);
  });

  it('converts amounts exactly: 1000 JPY is 1000 minor units; 10.005 USD, zero and negatives are refused', async () => {
    const yen = await pay(alice, { amount: '1000', currency: 'JPY', idempotency_key: 'yen-1' });
    expect(yen.payment?.amount).toEqual({ amount_minor: '1000', currency: 'JPY' });
    expect(yen.payment?.amount_decimal).toBe('1000');
    const intents = await f.providerIntents(alice);
    expect(intents.some((i) => i.amount === 1000)).toBe(true);

    for (const amount of ['10.005', '0', '-5', '0.00', 'abc']) {
      const refused = await failure(pay(alice, { amount }));
      expect(refused, amount).toMatchObject({ reason: 'VALIDATION_FAILED', field: 'amount' });
    }
    expect((await failure(pay(alice, { amount: '1.00', currency: 'XYZ' }))).field).toBe('currency');
  });

  it('pays registered merchants only: another user, oneself and unknown payees are refused before any charge', async () => {
    const before = (await f.providerIntents(alice)).length;
    const toUser = await failure(pay(alice, { amount: '3.00', destination_id: bob.id }));
    expect(toUser).toMatchObject({ reason: 'VALIDATION_FAILED', field: 'destination_id' });
    expect(toUser.message).toContain('registered merchants only');
    expect((await failure(pay(alice, { amount: '3.00', destination_id: alice.id }))).field).toBe('destination_id');
    expect((await failure(pay(alice, { amount: '3.00', destination_id: 'merchant_nobody' }))).field).toBe(
      'destination_id',
    );
    expect(await f.providerIntents(alice)).toHaveLength(before);
  });

  it('records a declined card as a failed payment and answers PAYMENT_DECLINED', async () => {
    const card = await f.addCard(alice, 'pm_card_chargeCustomerFail');
    const declined = await failure(pay(alice, { source_id: card, amount: '5.00', idempotency_key: 'declined-1' }));
    expect(declined.reason).toBe('PAYMENT_DECLINED');
    const paymentId = declined.metadata.payment_id!;
    const status = await f.client.getPaymentStatus({ payment_id: paymentId }, { token: alice.token });
    expect(status.payment).toMatchObject({ status: 'failed', failure_code: 'generic_decline' });
    // The same key answers the same outcome without asking the provider again.
    expect(await failure(pay(alice, { source_id: card, amount: '5.00', idempotency_key: 'declined-1' }))).toEqual(
      declined,
    );
  });
});

describe('refunds', () => {
  it('refunds in part, then the rest, and refuses anything more', async () => {
    const paid = await pay(alice, { amount: '20.00', idempotency_key: 'to-refund' });
    const paymentId = paid.payment!.payment_id;
    const part = await f.client.processRefund(
      { payment_id: paymentId, amount: '7.25', reason: 'requested_by_customer' },
      { token: alice.token },
    );
    expect(part.refund).toMatchObject({ amount: { amount_minor: '725', currency: 'USD' }, status: 'succeeded' });
    expect(part.payment).toMatchObject({ refund_status: 'partial', amount_refunded: { amount_minor: '725' } });

    const tooMuch = await failure(
      f.client.processRefund({ payment_id: paymentId, amount: '13.00' }, { token: alice.token }),
    );
    expect(tooMuch).toMatchObject({ reason: 'REFUND_EXCEEDS_PAYMENT', field: 'amount' });
    expect(tooMuch.message).toContain('12.75 USD');

    const rest = await f.client.processRefund({ payment_id: paymentId }, { token: alice.token });
    expect(rest.refund?.amount?.amount_minor).toBe('1275');
    expect(rest.payment).toMatchObject({ refund_status: 'full', amount_refunded: { amount_minor: '2000' } });

    const more = await failure(
      f.client.processRefund({ payment_id: paymentId, amount: '0.01' }, { token: alice.token }),
    );
    expect(more.reason).toBe('REFUND_EXCEEDS_PAYMENT');
    const status = await f.client.getPaymentStatus({ payment_id: paymentId }, { token: alice.token });
    expect(status.refunds.map((r) => r.amount?.amount_minor)).toEqual(['725', '1275']);

    const events = await readEvents(f.nats, {
      stream: streams.payments.name,
      subject: subjects.payments.refundCreated,
      since: started,
      done: (list) => list.filter((e) => e.data.payment_id === paymentId).length >= 2,
      timeoutMs: 5_000,
    });
    const refunds = events.filter((e) => e.data.payment_id === paymentId).map((e) => e.data);
    expect(refunds).toEqual([
      expect.objectContaining({ amount_minor: '725', total_refunded_minor: '725', currency: 'USD' }),
      expect.objectContaining({ amount_minor: '1275', total_refunded_minor: '2000', reason: 'requested_by_customer' }),
    ]);
  });
});

describe('ownership over direct gRPC with another user’s internal token', () => {
  it('hides the payment, the method and the history of someone else', async () => {
    const paid = await pay(alice, { amount: '4.00' });
    const paymentId = paid.payment!.payment_id;
    expect(await failure(f.client.getPaymentStatus({ payment_id: paymentId }, { token: bob.token }))).toMatchObject({
      reason: 'NOT_FOUND',
    });
    expect(await failure(f.client.processRefund({ payment_id: paymentId }, { token: bob.token }))).toMatchObject({
      reason: 'NOT_FOUND',
    });
    expect(
      await failure(
        f.client.initiatePayment(
          { source_id: aliceCard, destination_id: 'merchant_demo_coffee', amount: '1.00', currency: 'USD' },
          { token: bob.token },
        ),
      ),
    ).toMatchObject({ reason: 'NOT_FOUND', field: 'source_id' });
    expect(await failure(f.client.getPaymentHistory({ user_id: alice.id }, { token: bob.token }))).toMatchObject({
      reason: 'PERMISSION_DENIED',
    });
    expect(await failure(f.client.listPaymentMethods({ user_id: alice.id }, { token: bob.token }))).toMatchObject({
      reason: 'PERMISSION_DENIED',
    });
  });

  it('refuses a caller whose token lacks the scope', async () => {
    const readOnly = await f.tokenWithScopes(alice, ['payments:read']);
    const refused = await failure(pay({ ...alice, token: readOnly }, { amount: '1.00' }));
    expect(refused).toMatchObject({ reason: 'PERMISSION_DENIED' });
    expect(refused.message).toContain('payments:write');
  });
});

describe('history', () => {
  it('pages newest first with a cursor and filters by date', async () => {
    const user = await f.createUser();
    const card = await f.addCard(user);
    for (const amount of ['1.00', '2.00', '3.00']) {
      await f.client.initiatePayment(
        { source_id: card, destination_id: 'merchant_demo_books', amount, currency: 'EUR' },
        { token: user.token },
      );
    }
    const first = await f.client.getPaymentHistory({ user_id: 'me', limit: 2 }, { token: user.token });
    expect(first.payments.map((p) => p.amount_decimal)).toEqual(['3.00', '2.00']);
    expect(first.page?.has_more).toBe(true);
    const second = await f.client.getPaymentHistory(
      { user_id: 'me', limit: 2, cursor: first.page!.next_cursor },
      { token: user.token },
    );
    expect(second.payments.map((p) => p.amount_decimal)).toEqual(['1.00']);
    expect(second.page).toMatchObject({ has_more: false, next_cursor: '' });

    const today = new Date().toISOString().slice(0, 10);
    const dated = await f.client.getPaymentHistory(
      { user_id: 'me', start_date: today, end_date: today },
      { token: user.token },
    );
    expect(dated.payments).toHaveLength(3);
    const past = await f.client.getPaymentHistory(
      { user_id: 'me', start_date: '2020-01-01', end_date: '2020-01-31' },
      { token: user.token },
    );
    expect(past.payments).toHaveLength(0);
    expect(
      await failure(
        f.client.getPaymentHistory(
          { user_id: 'me', start_date: '2020-02-01', end_date: '2020-01-01' },
          { token: user.token },
        ),
      ),
    ).toMatchObject({ reason: 'VALIDATION_FAILED', field: 'end_date' });
    expect(
      await failure(f.client.getPaymentHistory({ user_id: 'me', cursor: 'garbage' }, { token: user.token })),
    ).toMatchObject({ field: 'cursor' });
  });
});
