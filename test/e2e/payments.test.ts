import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FLEET_STRIPE_KEY, startTestFleet, type TestFleet } from './fleet';

let fleet: TestFleet;
let alice: { id: string; token: string };
let bob: { id: string; token: string };
const open: Client[] = [];

type ToolResult = {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent: Record<string, unknown> & { error?: { reason: string; message: string; field?: string } };
};

async function connect(token?: string): Promise<Client> {
  const client = new Client({ name: 'payments-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(
      new URL(fleet.url),
      token ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : {},
    ),
  );
  open.push(client);
  return client;
}

async function signIn(email: string, password: string): Promise<string> {
  const anonymous = await connect();
  const result = (await anonymous.callTool({
    name: 'authenticate_user',
    arguments: { username: email, password },
  })) as ToolResult;
  return String(result.structuredContent.token);
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

async function read<T = Record<string, unknown>>(client: Client, uri: string): Promise<T> {
  const result = await client.readResource({ uri });
  return JSON.parse((result.contents[0] as { text: string }).text) as T;
}

/** PaymentIntents at the provider, counted at the sandbox itself. */
async function providerIntents(): Promise<{ id: string; amount: number; metadata: Record<string, string> }[]> {
  const response = await fetch(`${fleet.sandbox!.urls.stripe}/v1/payment_intents?limit=100`, {
    headers: { authorization: `Bearer ${FLEET_STRIPE_KEY}` },
  });
  return ((await response.json()) as { data: { id: string; amount: number; metadata: Record<string, string> }[] }).data;
}

beforeAll(async () => {
  fleet = await startTestFleet({ payments: true });
  const a = await fleet.createUser({ fullName: 'Alice Payer' });
  const b = await fleet.createUser({ fullName: 'Bob Other' });
  alice = { id: a.id, token: await signIn(a.email, a.password) };
  bob = { id: b.id, token: await signIn(b.email, b.password) };
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
});
afterAll(async () => {
  await fleet?.stop();
});

describe('an agent paying through the gateway', () => {
  it('adds a card, pays, reads status and history, refunds in part then the rest, and cannot over-refund', async () => {
    const client = await connect(alice.token);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['add_payment_method', 'initiate_payment', 'process_refund']));
    const templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates).toEqual(
      expect.arrayContaining([
        'payments://{user_id}/methods',
        'payments://{user_id}/history{?start_date,end_date,cursor,limit}',
        'payments://{payment_id}/status',
      ]),
    );

    const added = await call(client, 'add_payment_method', { user_id: 'me', payment_token: 'pm_card_visa' });
    expect(added.isError).toBeFalsy();
    const method = added.structuredContent.method as { method_id: string; brand: string; last4: string };
    expect(method).toMatchObject({ brand: 'visa', last4: '4242' });
    const methods = await read<{ methods: { method_id: string }[] }>(client, 'payments://me/methods');
    expect(methods.methods.map((m) => m.method_id)).toEqual([method.method_id]);

    const paid = await call(client, 'initiate_payment', {
      source_id: method.method_id,
      destination_id: 'merchant_demo_coffee',
      amount: 25.5,
      currency: 'USD',
      description: 'coffee subscription',
    });
    expect(paid.isError).toBeFalsy();
    expect(paid.structuredContent).toMatchObject({
      status: 'succeeded',
      payment: { amount: { amount_minor: '2550', currency: 'USD' }, amount_decimal: '25.50' },
    });
    const paymentId = (paid.structuredContent.payment as { payment_id: string }).payment_id;

    const status = await read<{ payment: { status: string } }>(client, `payments://${paymentId}/status`);
    expect(status.payment.status).toBe('succeeded');
    const history = await read<{ payments: { payment_id: string }[] }>(client, 'payments://me/history?limit=10');
    expect(history.payments.map((p) => p.payment_id)).toContain(paymentId);

    const part = await call(client, 'process_refund', { payment_id: paymentId, amount: '10.00', reason: 'duplicate' });
    expect(part.structuredContent).toMatchObject({ payment: { refund_status: 'partial' } });
    const rest = await call(client, 'process_refund', { payment_id: paymentId });
    expect(rest.structuredContent).toMatchObject({
      refund: { amount: { amount_minor: '1550' } },
      payment: { refund_status: 'full', amount_refunded: { amount_minor: '2550' } },
    });
    const over = await call(client, 'process_refund', { payment_id: paymentId, amount: 1 });
    expect(over.isError).toBe(true);
    expect(over.structuredContent.error).toMatchObject({ reason: 'REFUND_EXCEEDS_PAYMENT' });
    expect(over.content[0]!.text).toMatch(/^REFUND_EXCEEDS_PAYMENT: /);
  });

  it('charges once for 50 concurrent calls with one key, answers them identically, and refuses the key with another amount', async () => {
    const client = await connect(alice.token);
    const { methods } = await read<{ methods: { method_id: string }[] }>(client, 'payments://me/methods');
    const args = {
      source_id: methods[0]!.method_id,
      destination_id: 'merchant_demo_books',
      amount: '31.40',
      currency: 'USD',
      idempotency_key: 'e2e-books-1',
    };
    const before = (await providerIntents()).length;
    const results = await Promise.all(Array.from({ length: 50 }, () => call(client, 'initiate_payment', args)));
    expect(results.every((r) => !r.isError)).toBe(true);
    expect(new Set(results.map((r) => JSON.stringify(r.structuredContent))).size).toBe(1);
    const intents = await providerIntents();
    expect(intents.length - before).toBe(1);
    expect(intents.filter((i) => i.amount === 3140)).toHaveLength(1);

    const other = await call(client, 'initiate_payment', { ...args, amount: '31.41' });
    expect(other.isError).toBe(true);
    expect(other.structuredContent.error).toMatchObject({ reason: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotency_key' });
    expect(other.structuredContent.error!.message).toContain('"e2e-books-1"');
  });

  it('asks for confirmation above the threshold and pays only when the token comes back', async () => {
    const client = await connect(alice.token);
    const { methods } = await read<{ methods: { method_id: string }[] }>(client, 'payments://me/methods');
    const args = {
      source_id: methods[0]!.method_id,
      destination_id: 'merchant_demo_coffee',
      amount: 1200,
      currency: 'USD',
    };
    const before = (await providerIntents()).length;
    const asked = await call(client, 'initiate_payment', args);
    expect(asked.structuredContent).toMatchObject({ status: 'confirmation_required' });
    expect((await providerIntents()).length).toBe(before);
    const token = String(asked.structuredContent.confirmation_token);
    const confirmed = await call(client, 'initiate_payment', { ...args, confirmation_token: token });
    expect(confirmed.structuredContent).toMatchObject({ status: 'succeeded' });
    expect((await providerIntents()).length).toBe(before + 1);
  });

  it('converts amounts exactly and names the field of malformed input', async () => {
    const client = await connect(alice.token);
    const { methods } = await read<{ methods: { method_id: string }[] }>(client, 'payments://me/methods');
    const base = { source_id: methods[0]!.method_id, destination_id: 'merchant_demo_coffee' };
    const yen = await call(client, 'initiate_payment', { ...base, amount: 1000, currency: 'JPY' });
    expect(yen.structuredContent).toMatchObject({ payment: { amount: { amount_minor: '1000', currency: 'JPY' } } });

    for (const amount of ['10.005', 0, -5, '12,50']) {
      const refused = await call(client, 'initiate_payment', { ...base, amount, currency: 'USD' });
      expect(refused.isError, String(amount)).toBe(true);
      expect(refused.structuredContent.error, String(amount)).toMatchObject({
        reason: 'VALIDATION_FAILED',
        field: 'amount',
      });
    }
    const noCurrency = await call(client, 'initiate_payment', { ...base, amount: 5 });
    expect(noCurrency.structuredContent.error).toMatchObject({ field: 'currency' });
    const badKey = await call(client, 'initiate_payment', {
      ...base,
      amount: 5,
      currency: 'USD',
      idempotency_key: 'no spaces',
    });
    expect(badKey.structuredContent.error).toMatchObject({ field: 'idempotency_key' });
    const badToken = await call(client, 'add_payment_method', { user_id: 'me', payment_token: '4242424242424242' });
    expect(badToken.structuredContent.error).toMatchObject({ reason: 'VALIDATION_FAILED', field: 'payment_token' });
  });
});

describe('another user’s payments', () => {
  it('are refused at the gateway and by the service', async () => {
    const owner = await connect(alice.token);
    const { payments } = await read<{ payments: { payment_id: string; source_id: string }[] }>(
      owner,
      'payments://me/history',
    );
    const target = payments[0]!;

    const intruder = await connect(bob.token);
    await expect(read(intruder, `payments://${alice.id}/history`)).rejects.toThrow(/another user/);
    await expect(read(intruder, `payments://${alice.id}/methods`)).rejects.toThrow(/another user/);
    // The gateway cannot tell whose payment an id is; the service's own query finds nothing for Bob.
    await expect(read(intruder, `payments://${target.payment_id}/status`)).rejects.toThrow(/not found/);
    const refund = await call(intruder, 'process_refund', { payment_id: target.payment_id });
    expect(refund.structuredContent.error).toMatchObject({ reason: 'NOT_FOUND' });
    const spend = await call(intruder, 'initiate_payment', {
      source_id: target.source_id,
      destination_id: 'merchant_demo_coffee',
      amount: 1,
      currency: 'USD',
    });
    expect(spend.structuredContent.error).toMatchObject({ reason: 'NOT_FOUND', field: 'source_id' });
    const foreignMethod = await call(intruder, 'add_payment_method', {
      user_id: alice.id,
      payment_token: 'pm_card_visa',
    });
    expect(foreignMethod.structuredContent.error).toMatchObject({ reason: 'PERMISSION_DENIED' });
  });

  it('a caller without payments:write does not see the payment tools and is refused them', async () => {
    const narrowed = await fleet.auth.deps.tokens.accessToken({
      id: alice.id,
      role: 'customer',
      scopes: ['payments:read'],
    });
    const client = await connect(narrowed);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).not.toContain('initiate_payment');
    const refused = await call(client, 'initiate_payment', {
      source_id: 'x',
      destination_id: 'merchant_demo_coffee',
      amount: 1,
      currency: 'USD',
    });
    expect(refused.structuredContent.error).toMatchObject({ reason: 'PERMISSION_DENIED' });
    expect(refused.structuredContent.error!.message).toContain('payments:write');
    const history = await read<{ payments: unknown[] }>(client, 'payments://me/history');
    expect(history.payments.length).toBeGreaterThan(0);
  });
});
