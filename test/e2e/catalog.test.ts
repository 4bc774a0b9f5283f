import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestFleet, type TestFleet } from './fleet';
import { echoService } from './services/echo/service';

let fleet: TestFleet;
let client: Client;

beforeAll(async () => {
  // The test service is a declaration of its own (services/echo) with its proto under ./proto; the gateway learns of
  // it through configuration only (SERVICE_ADDRESSES and the extra proto folder): no gateway code knows it.
  fleet = await startTestFleet({ services: [echoService] });
  const user = await fleet.createUser();
  const signIn = await fleet.auth.deps.tokens.accessToken({
    id: user.id,
    role: 'customer',
    scopes: ['profile:read', 'profile:write'],
  });
  client = new Client({ name: 'catalog-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(fleet.url), {
      requestInit: { headers: { Authorization: `Bearer ${signIn}` } },
    }),
  );
});

afterAll(async () => {
  await client?.close();
  await fleet?.stop();
});

describe('a new RPC with an MCP option', () => {
  it('appears as a tool with its schema and annotations, and is callable', async () => {
    const { tools } = await client.listTools();
    const tool = tools.find((t) => t.name === 'echo_message');
    expect(tool).toMatchObject({
      title: 'Echo',
      description: "Repeats a message back to its caller, with the caller's id.",
      annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false },
      inputSchema: {
        type: 'object',
        required: ['message'],
        properties: { message: { type: 'string', maxLength: 100 }, times: { type: 'integer', minimum: 1, maximum: 3 } },
      },
    });
    const result = await client.callTool({ name: 'echo_message', arguments: { message: 'hi', times: 2 } });
    expect(result.structuredContent).toMatchObject({ text: 'hi hi' });

    const invalid = await client.callTool({ name: 'echo_message', arguments: { message: 'hi', times: 9 } });
    expect(invalid.isError).toBe(true);
    expect(invalid.structuredContent).toMatchObject({ error: { reason: 'VALIDATION_FAILED', field: 'times' } });
  });

  it('appears as a resource template, with URI and query variables mapped to the request', async () => {
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain('echo://{user_id}/greeting{?style}');
    const read = await client.readResource({ uri: 'echo://me/greeting?style=loud' });
    const body = JSON.parse((read.contents[0] as { text: string }).text) as { text: string; caller: string };
    expect(body.text).toBe('HELLO!');
    const [caller, requested] = body.caller.split(':');
    expect(requested).toBe(caller);
    await expect(client.readResource({ uri: 'echo://me/greeting?style=whisper' })).rejects.toThrow(/style/);
    await expect(client.readResource({ uri: 'echo://me/greeting?color=red' })).rejects.toThrow(/not found/i);
  });
});
