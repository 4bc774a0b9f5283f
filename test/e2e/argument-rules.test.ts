import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLEET_STRIPE_KEY, startTestFleet, type TestFleet } from './fleet';

// The argument rules every tool inherits from the one validator (@fintech/contracts), attacked through the gateway
// with a real MCP client, and counted at the provider sandbox.

let fleet: TestFleet;
let client: Client;
let token: string;
let methodId: string;

type ToolResult = {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent: Record<string, unknown> & { error?: { reason: string; message: string; field?: string } };
};

async function call(name: string, args: Record<string, unknown>): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

async function read<T>(uri: string): Promise<T> {
  const result = await client.readResource({ uri });
  return JSON.parse((result.contents[0] as { text: string }).text) as T;
}

async function provider<T>(path: string): Promise<T[]> {
  const response = await fetch(`${fleet.sandbox!.urls.stripe}${path}`, {
    headers: { authorization: `Bearer ${FLEET_STRIPE_KEY}` },
  });
  return ((await response.json()) as { data: T[] }).data;
}

const intents = () => provider<{ id: string; amount: number }>('/v1/payment_intents?limit=100');
const refunds = () => provider<{ id: string; payment_intent: string }>('/v1/refunds?limit=100');

async function pay(amount: string, description = 'rules test'): Promise<string> {
  const paid = await call('initiate_payment', {
    source_id: methodId,
    destination_id: 'merchant_demo_coffee',
    amount,
    currency: 'USD',
    description,
  });
  expect(paid.isError).toBeFalsy();
  return (paid.structuredContent.payment as { payment_id: string }).payment_id;
}

beforeAll(async () => {
  fleet = await startTestFleet({ payments: true });
  const user = await fleet.createUser({ fullName: 'Rule Tester' });
  token = await fleet.auth.deps.tokens.accessToken({
    id: user.id,
    role: 'customer',
    scopes: ['profile:read', 'profile:write', 'payments:read', 'payments:write'],
  });
  client = new Client({ name: 'argument-rules', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(fleet.url), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  const added = await call('add_payment_method', { user_id: 'me', payment_token: 'pm_card_visa' });
  methodId = (added.structuredContent.method as { method_id: string }).method_id;
});

afterAll(async () => {
  await client?.close().catch(() => undefined);
  await fleet?.stop();
});

describe('a refund amount that is not a number', () => {
  // JSON has no NaN or Infinity: JSON.stringify sends both as null, which once read as "omitted" = refund everything.
  it.each([
    ['null', null],
    ['Infinity', Infinity],
    ['NaN', NaN],
  ])('%s is refused naming amount, and nothing is refunded at the provider', async (name, amount) => {
    const paymentId = await pay('30.00', `refund attack with ${name}`);
    const before = await refunds();
    const result = await call('process_refund', { payment_id: paymentId, amount });
    expect(result.isError).toBe(true);
    expect(result.structuredContent.error).toMatchObject({ reason: 'VALIDATION_FAILED', field: 'amount' });
    expect(await refunds()).toHaveLength(before.length);
    const status = await read<{ payment: { refund_status: string; amount_refunded?: { amount_minor: string } } }>(
      `payments://${paymentId}/status`,
    );
    expect(status.payment.refund_status).toBe('none');
    expect(status.payment.amount_refunded?.amount_minor ?? '0').toBe('0');

    // Omission is how "everything that is left" is asked for.
    const all = await call('process_refund', { payment_id: paymentId });
    expect(all.structuredContent).toMatchObject({ payment: { refund_status: 'full' } });
    expect(await refunds()).toHaveLength(before.length + 1);
  });

  it('null is refused for every field, not only money', async () => {
    const before = (await intents()).length;
    const result = await call('initiate_payment', {
      source_id: methodId,
      destination_id: 'merchant_demo_coffee',
      amount: '1.00',
      currency: 'USD',
      description: null,
    });
    expect(result.structuredContent.error).toMatchObject({ reason: 'VALIDATION_FAILED', field: 'description' });
    expect(await intents()).toHaveLength(before);
  });
});

describe('argument names that are Object.prototype properties', () => {
  it.each(['toString', 'valueOf', 'hasOwnProperty', 'constructor'])(
    '%s is refused by name as an unknown field, and nothing is charged',
    async (name) => {
      const before = (await intents()).length;
      const result = await call('initiate_payment', {
        source_id: methodId,
        destination_id: 'merchant_demo_coffee',
        amount: '2.00',
        currency: 'USD',
        [name]: 'x',
      });
      expect(result.isError).toBe(true);
      expect(result.structuredContent.error).toMatchObject({ reason: 'VALIDATION_FAILED', field: name });
      expect(result.structuredContent.error!.message).toBe(`unknown field ${name}`);
      expect(await intents()).toHaveLength(before);
    },
  );

  it('__proto__ is refused as a validation error naming it, not as unparsable JSON', async () => {
    const before = (await intents()).length;
    const body =
      '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"initiate_payment","arguments":' +
      `{"source_id":"${methodId}","destination_id":"merchant_demo_coffee","amount":"2.00","currency":"USD",` +
      '"__proto__":{"admin":true}}}}';
    const response = await fetch(fleet.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-06-18',
      },
      body,
    });
    const answer = (await response.json()) as { error?: { code: number; message: string; data?: unknown } };
    expect(answer.error?.code).not.toBe(-32700);
    expect(answer.error).toMatchObject({
      code: -32602,
      data: { reason: 'VALIDATION_FAILED', field: '__proto__' },
    });
    expect(answer.error!.message).toContain('__proto__');
    expect(await intents()).toHaveLength(before);
  });
});

describe('strings with a NUL byte or an unpaired surrogate', () => {
  it.each([
    ['description', 'coffee\u0000beans'],
    ['destination_id', 'merchant_demo_coffee\u0000'],
    ['description', 'half a pair \ud83d here'],
    ['description', 'a lone low \udc00'],
  ])('%s %j is refused with VALIDATION_FAILED naming the field', async (field, value) => {
    const before = (await intents()).length;
    const result = await call('initiate_payment', {
      source_id: methodId,
      destination_id: 'merchant_demo_coffee',
      amount: '3.00',
      currency: 'USD',
      [field]: value,
    });
    expect(result.isError).toBe(true);
    expect(result.structuredContent.error).toMatchObject({ reason: 'VALIDATION_FAILED', field });
    expect(await intents()).toHaveLength(before);
  });

  it('is refused in nested fields too, and a well-formed pair is kept as written', async () => {
    const nested = await call('update_user_profile', {
      user_id: 'me',
      profile_data: { address: { line1: '1 Main St\u0000', city: 'Springfield' } },
    });
    expect(nested.structuredContent.error).toMatchObject({
      reason: 'VALIDATION_FAILED',
      field: 'profile_data.address.line1',
    });

    const paymentId = await pay('4.00', 'coffee ☕ and a croissant 🥐');
    const status = await read<{ payment: { description: string } }>(`payments://${paymentId}/status`);
    expect(status.payment.description).toBe('coffee ☕ and a croissant 🥐');
  });
});
