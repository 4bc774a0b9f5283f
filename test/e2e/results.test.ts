import { randomUUID } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestFleet, type TestFleet } from './fleet';

// What agents read back: tool results and resource contents carry no proto3 defaults for unset fields, and a read of
// a resource that does not exist fails the way MCP 2026-07-28 says (SEP-2164).

let fleet: TestFleet;
const open: Client[] = [];

async function connect(token?: string): Promise<Client> {
  const client = new Client({ name: 'results-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(
      new URL(fleet.url),
      token ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : {},
    ),
  );
  open.push(client);
  return client;
}

type ToolResult = { isError?: boolean; content: { text: string }[]; structuredContent: Record<string, unknown> };

beforeAll(async () => {
  fleet = await startTestFleet({ payments: true });
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close().catch(() => undefined)));
  await fleet?.stop();
});

describe('unset fields', () => {
  it('are left out of a sign-in result (no empty mfa_challenge)', async () => {
    const user = await fleet.createUser();
    const anonymous = await connect();
    const result = (await anonymous.callTool({
      name: 'authenticate_user',
      arguments: { username: user.email, password: user.password },
    })) as ToolResult;
    expect(result.structuredContent).toMatchObject({ status: 'authenticated', user_id: user.id });
    expect(result.structuredContent).not.toHaveProperty('mfa_challenge');
    expect(JSON.parse(result.content[0]!.text)).not.toHaveProperty('mfa_challenge');
    expect(result.content[0]!.text).not.toMatch(/"_\w+":/);
  });

  it('are left out of payment results and resource contents, and set ones are kept', async () => {
    const user = await fleet.createUser();
    const token = await fleet.auth.deps.tokens.accessToken({
      id: user.id,
      role: 'customer',
      scopes: ['payments:read', 'payments:write'],
    });
    const client = await connect(token);
    const added = (await client.callTool({
      name: 'add_payment_method',
      arguments: { user_id: 'me', payment_token: 'pm_card_visa' },
    })) as ToolResult;
    const methodId = (added.structuredContent.method as { method_id: string }).method_id;
    const paid = (await client.callTool({
      name: 'initiate_payment',
      arguments: { source_id: methodId, destination_id: 'merchant_demo_coffee', amount: '5.00', currency: 'USD' },
    })) as ToolResult;
    expect(paid.isError).toBeFalsy();
    const payment = paid.structuredContent.payment as Record<string, unknown>;
    expect(paid.structuredContent).not.toHaveProperty('confirmation_token');
    expect(paid.structuredContent).not.toHaveProperty('confirmation_expires_at');
    expect(payment).not.toHaveProperty('failure_code');
    expect(payment).not.toHaveProperty('failure_message');
    expect(payment).toMatchObject({ status: 'succeeded', disputed: false, destination: { type: 'merchant' } });
    expect((payment.destination as Record<string, unknown>).display_name).toBeTruthy();
    expect(JSON.parse(paid.content[0]!.text)).toEqual(paid.structuredContent);

    const read = await client.readResource({ uri: `payments://${String(payment.payment_id)}/status` });
    const text = (read.contents[0] as { text: string }).text;
    const status = JSON.parse(text) as { payment: Record<string, unknown>; refunds: unknown[] };
    expect(status.payment).not.toHaveProperty('failure_code');
    expect(status.refunds).toEqual([]);
    expect(text).not.toMatch(/"_\w+":/);
    expect(text).not.toContain('null');
  });
});

describe('a resource that does not exist', () => {
  let client: Client;
  beforeAll(async () => {
    const user = await fleet.createUser();
    client = await connect(
      await fleet.auth.deps.tokens.accessToken({ id: user.id, role: 'customer', scopes: ['payments:read'] }),
    );
  });

  async function readError(uri: string): Promise<{ code: number; data: Record<string, unknown> }> {
    try {
      await client.readResource({ uri });
    } catch (error) {
      return error as { code: number; data: Record<string, unknown> };
    }
    throw new Error(`${uri} was read`);
  }

  it('is -32602 with the URI in data when the service finds nothing', async () => {
    const uri = `payments://${randomUUID()}/status`;
    const error = await readError(uri);
    expect(error.code).toBe(-32602);
    expect(error.data).toMatchObject({ uri, reason: 'NOT_FOUND' });
  });

  it('is -32602 with the URI in data when no resource template matches', async () => {
    const uri = 'nowhere://nothing/here';
    const error = await readError(uri);
    expect(error.code).toBe(-32602);
    expect(error.data).toMatchObject({ uri });
  });
});
