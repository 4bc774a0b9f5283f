import { Client, StreamableHTTPClientTransport, SSEClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport as V1SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport as V1StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestFleet, type TestFleet } from './fleet';

let fleet: TestFleet;
let alice: { id: string; email: string; password: string };
let bob: { id: string; email: string; password: string };
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  fleet = await startTestFleet();
  alice = await fleet.createUser({ fullName: 'Alice Agent' });
  bob = await fleet.createUser({ fullName: 'Bob Bystander' });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
});
afterAll(async () => {
  await fleet?.stop();
});

type AnyClient = {
  callTool(p: { name: string; arguments?: Record<string, unknown> }): Promise<unknown>;
  readResource(p: { uri: string }): Promise<{ contents: { text?: string }[] }>;
  listTools(): Promise<{ tools: { name: string; annotations?: Record<string, unknown>; inputSchema: unknown }[] }>;
  listResourceTemplates(): Promise<{ resourceTemplates: { uriTemplate: string }[] }>;
  close(): Promise<void>;
};

function structured(result: unknown): Record<string, unknown> {
  const r = result as { structuredContent?: Record<string, unknown>; isError?: boolean; content: { text: string }[] };
  return r.structuredContent ?? JSON.parse(r.content[0]!.text);
}

function bearer(token: string): RequestInit {
  return { headers: { Authorization: `Bearer ${token}` } };
}

const kinds = {
  'v2 client, 2026-07-28 era': async (token?: string) => {
    const client = new Client({ name: 'e2e', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(fleet.url), token ? { requestInit: bearer(token) } : {}),
    );
    return client as unknown as AnyClient;
  },
  'v2 client, 2025 era': async (token?: string) => {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(fleet.url), token ? { requestInit: bearer(token) } : {}),
    );
    return client as unknown as AnyClient;
  },
  'v1 SDK client, Streamable HTTP': async (token?: string) => {
    const client = new V1Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(
      new V1StreamableHTTPClientTransport(new URL(fleet.url), token ? { requestInit: bearer(token) } : {}),
    );
    return client as unknown as AnyClient;
  },
  'v1 SDK client, legacy SSE': async (token?: string) => {
    const client = new V1Client({ name: 'e2e', version: '1.0.0' });
    const init = token ? bearer(token) : undefined;
    await client.connect(
      new V1SSEClientTransport(new URL(`${fleet.origin}/mcp/sse`), {
        requestInit: init,
        eventSourceInit: init
          ? {
              fetch: (url, i) =>
                fetch(url, { ...i, headers: { ...(i?.headers as object), ...(init.headers as object) } }),
            }
          : undefined,
      }),
    );
    return client as unknown as AnyClient;
  },
  'v2 client, legacy SSE with a client id': async (token?: string) => {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(
      new SSEClientTransport(
        new URL(`${fleet.origin}/mcp/sse/agent-${crypto.randomUUID()}`),
        token ? { requestInit: bearer(token) } : {},
      ),
    );
    return client as unknown as AnyClient;
  },
} as const;

for (const [kind, connect] of Object.entries(kinds)) {
  describe(`an agent with the ${kind}`, () => {
    it('signs in, reads and updates its own profile, and is refused another user’s', async () => {
      const anonymous = await connect();
      open.push(anonymous);
      const anonymousTools = (await anonymous.listTools()).tools.map((t) => t.name).sort();
      expect(anonymousTools).toEqual(['authenticate_user', 'refresh_token', 'verify_mfa']);

      const signIn = structured(
        await anonymous.callTool({
          name: 'authenticate_user',
          arguments: { username: alice.email, password: alice.password },
        }),
      );
      expect(signIn.status).toBe('authenticated');
      const token = String(signIn.token);

      const client = await connect(token);
      open.push(client);
      const tools = (await client.listTools()).tools;
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['update_user_profile', 'enroll_mfa']));
      const templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
      expect(templates).toEqual(expect.arrayContaining(['users://{user_id}/profile', 'users://{user_id}/permissions']));

      const profile = JSON.parse((await client.readResource({ uri: 'users://me/profile' })).contents[0]!.text!);
      expect(profile).toMatchObject({ user_id: alice.id, email: alice.email, full_name: 'Alice Agent' });
      const permissions = JSON.parse(
        (await client.readResource({ uri: `users://${alice.id}/permissions` })).contents[0]!.text!,
      );
      expect(permissions.scopes).toContain('profile:write');

      const phone = `+1415555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
      const updated = structured(
        await client.callTool({ name: 'update_user_profile', arguments: { user_id: 'me', profile_data: { phone } } }),
      );
      expect(updated).toMatchObject({ success: true, updated_fields: ['phone'] });
      const reread = JSON.parse((await client.readResource({ uri: 'users://me/profile' })).contents[0]!.text!);
      expect(reread.phone).toBe(phone);

      await expect(client.readResource({ uri: `users://${bob.id}/profile` })).rejects.toThrow(/another user/);
      const foreignUpdate = (await client.callTool({
        name: 'update_user_profile',
        arguments: { user_id: bob.id, profile_data: { full_name: 'Hijacked' } },
      })) as { isError?: boolean; content: { text: string }[] };
      expect(foreignUpdate.isError).toBe(true);
      expect(foreignUpdate.content[0]!.text).toMatch(/PERMISSION_DENIED/);
    });
  });
}

describe('the catalog', () => {
  it('comes from the proto options: annotations, descriptions and the input schema', async () => {
    const client = await kinds['v2 client, 2025 era']();
    open.push(client);
    const tools = (await client.listTools()).tools;
    const signIn = tools.find((t) => t.name === 'authenticate_user')!;
    expect(signIn.inputSchema).toMatchObject({
      type: 'object',
      required: ['username', 'password'],
      additionalProperties: false,
      properties: { username: { type: 'string', description: "The user's email address." } },
    });
  });
});

describe('refusals', () => {
  let token: string;
  beforeAll(async () => {
    const response = await fetch(fleet.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'authenticate_user', arguments: { username: alice.email, password: alice.password } },
      }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    const json = JSON.parse(
      text.startsWith('{')
        ? text
        : text
            .split('\n')
            .find((l) => l.startsWith('data:'))!
            .slice(5),
    );
    token = json.result.structuredContent.token;
  });

  it('answers a call without a token with 401 and WWW-Authenticate naming the protected-resource metadata', async () => {
    const response = await fetch(fleet.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'users://me/profile' } }),
    });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer /);
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)![1]!;
    const metadata = (await (await fetch(metadataUrl)).json()) as { resource: string; authorization_servers: string[] };
    expect(metadata.resource).toBe(fleet.url);
  });

  it('answers an invalid token with 401 invalid_token', async () => {
    const response = await fetch(fleet.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${token.slice(0, -4)}AAAA`,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/invalid_token/);
  });

  it('refuses an Origin from another site with 403 and an oversized body with 413', async () => {
    const evil = await fetch(fleet.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/list' }),
    });
    expect(evil.status).toBe(403);
    const huge = await fetch(fleet.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 5,
        method: 'tools/list',
        params: { pad: 'x'.repeat(2 * 1024 * 1024) },
      }),
    });
    expect(huge.status).toBe(413);
  });

  it('names the field of malformed arguments', async () => {
    const client = await kinds['v2 client, 2025 era'](token);
    open.push(client);
    const badPhone = (await client.callTool({
      name: 'update_user_profile',
      arguments: { user_id: 'me', profile_data: { phone: 'call me maybe' } },
    })) as { isError?: boolean; structuredContent: { error: { reason: string; field: string } } };
    expect(badPhone.isError).toBe(true);
    expect(badPhone.structuredContent.error).toMatchObject({
      reason: 'VALIDATION_FAILED',
      field: 'profile_data.phone',
    });

    const role = (await client.callTool({
      name: 'update_user_profile',
      arguments: { user_id: 'me', profile_data: { role: 'admin' } },
    })) as { isError?: boolean; structuredContent: { error: { field: string; message: string } } };
    expect(role.isError).toBe(true);
    expect(role.structuredContent.error).toMatchObject({ field: 'profile_data.role' });

    const wrongType = (await client.callTool({ name: 'update_user_profile', arguments: { user_id: 42 } })) as {
      structuredContent: { error: { field: string } };
    };
    expect(wrongType.structuredContent.error.field).toBe('user_id');
  });

  it('hides a tool from a caller without its scope, and refuses it', async () => {
    // A token narrowed to profile:read (as an API key with fewer permissions would be) cannot see the write tools.
    const narrowed = await fleet.auth.deps.tokens.accessToken({
      id: alice.id,
      role: 'customer',
      scopes: ['profile:read'],
    });
    const client = await kinds['v2 client, 2025 era'](narrowed);
    open.push(client);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('update_user_profile');
    const refused = (await client.callTool({
      name: 'update_user_profile',
      arguments: { user_id: 'me', profile_data: { full_name: 'X' } },
    })) as { isError?: boolean; content: { text: string }[] };
    expect(refused.isError).toBe(true);
    expect(refused.content[0]!.text).toMatch(/missing scope profile:write/);
    const profile = JSON.parse((await client.readResource({ uri: 'users://me/profile' })).contents[0]!.text!);
    expect(profile.user_id).toBe(alice.id);
  });
});

describe('anonymous callers', () => {
  it('are rate limited per address, with Retry-After; a signed-in caller is not', async () => {
    const limited = await startTestFleet({ gatewayEnv: { ANONYMOUS_RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const post = (headers: Record<string, string> = {}) =>
        fetch(limited.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await post()).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await post();
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

      const user = await limited.createUser();
      const token = await limited.auth.deps.tokens.accessToken({
        id: user.id,
        role: 'customer',
        scopes: ['profile:read'],
      });
      expect((await post({ authorization: `Bearer ${token}` })).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});
