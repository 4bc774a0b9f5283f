import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import {
  Client,
  SSEClientTransport as V2SSEClientTransport,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/server';
import type { AuthInfo, JSONRPCMessage } from '@modelcontextprotocol/server';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport as V1StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';

import { registerHealthRoutes, registerHttpSecurity, registerProtectedResourceMetadata } from '../src/http/index';
import { registerMcpTransports } from '../src/transports/index';
import type { McpTransports, NatsRelayConnection } from '../src/transports/index';

const RESOURCE = 'https://mcp.example.com/mcp';
const RESOURCE_METADATA_URL = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';
const ALLOWED_ORIGIN = 'https://app.example.com';
const BODY_LIMIT = 64 * 1024;

/** The tiny server the gateway serves in these tests: one anonymous tool, one that names its caller, a template. */
function createTestServer(): McpServer {
  const server = new McpServer({ name: 'transport-test', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Echo the text', inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({
      content: [{ type: 'text', text }],
    }),
  );
  server.registerTool('whoami', { description: 'Name the caller' }, async (ctx) => ({
    content: [{ type: 'text', text: ctx.http?.authInfo?.clientId ?? 'anonymous' }],
  }));
  server.registerResource(
    'greeting',
    new ResourceTemplate('greeting://{name}', { list: undefined }),
    { description: 'A greeting' },
    async (uri, { name }) => ({ contents: [{ uri: uri.href, text: `hello ${String(name)}` }] }),
  );
  return server;
}

const ANONYMOUS_METHODS = new Set([
  'initialize',
  'ping',
  'server/discover',
  'tools/list',
  'resources/list',
  'resources/templates/list',
  'prompts/list',
]);

function allowAnonymous(message: JSONRPCMessage): boolean {
  if (!('method' in message)) return false;
  if (message.method.startsWith('notifications/') || ANONYMOUS_METHODS.has(message.method)) return true;
  return message.method === 'tools/call' && message.params?.name === 'echo';
}

/** Accepts `Bearer good-<name>` as the caller `<name>`; any other credential is invalid. */
async function authenticate(request: {
  headers: Record<string, string | string[] | undefined>;
}): Promise<AuthInfo | null> {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = /^Bearer good-([\w-]+)$/.exec(String(header));
  if (!match?.[1]) throw new Error('invalid token');
  return {
    token: String(header).slice(7),
    clientId: match[1],
    scopes: ['mcp'],
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
  };
}

interface Gateway {
  app: FastifyInstance;
  url: string;
  transports: McpTransports;
  setReady(ready: boolean): void;
}

const gateways: Gateway[] = [];

async function startGateway(
  options: { heartbeatMs?: number; nats?: NatsRelayConnection; replicaId?: string } = {},
  forceCloseConnections = true,
): Promise<Gateway> {
  let ready = true;
  const app = Fastify({ forceCloseConnections });
  await registerHttpSecurity(app, {
    allowedOrigins: [ALLOWED_ORIGIN],
    allowedHosts: ['mcp.example.com'],
    bodyLimitBytes: BODY_LIMIT,
  });
  registerHealthRoutes(app, { ready: async () => ready });
  registerProtectedResourceMetadata(app, {
    resource: RESOURCE,
    authorizationServers: ['https://auth.example.com'],
    scopesSupported: ['mcp'],
  });
  const transports = await registerMcpTransports(app, {
    createServer: createTestServer,
    authenticate,
    allowAnonymous,
    resourceMetadataUrl: RESOURCE_METADATA_URL,
    ...options,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const gateway = {
    app,
    url: `http://127.0.0.1:${address.port}`,
    transports,
    setReady: (value: boolean) => (ready = value),
  };
  gateways.push(gateway);
  return gateway;
}

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.app.close()));
});

const bearer = (name: string) => ({ Authorization: `Bearer good-${name}` });
const textOf = (result: unknown): string | undefined =>
  (result as { content?: Array<{ type: string; text?: string }> }).content?.find((c) => c.type === 'text')?.text;

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

/** Reads SSE events (and comment lines) off a raw fetch response. */
class SseReader {
  private buffer = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();

  constructor(response: Response) {
    if (!response.body) throw new Error('no body');
    this.reader = response.body.getReader();
  }

  /** Resolves with the first block (event or comment) that satisfies `accept`. */
  async next(accept: (block: string) => boolean, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let end: number;
      while ((end = this.buffer.indexOf('\n\n')) >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        if (accept(block)) return block;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error('timed out waiting for an SSE block');
      const chunk = await Promise.race([
        this.reader.read(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('timed out waiting for an SSE block')), remaining),
        ),
      ]);
      if (chunk.done) throw new Error('SSE stream ended');
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  async endpoint(): Promise<string> {
    const block = await this.next((b) => b.startsWith('event: endpoint'));
    return block
      .split('\n')
      .find((line) => line.startsWith('data: '))!
      .slice(6);
  }

  async message(id: number): Promise<{ result?: unknown; error?: unknown }> {
    const block = await this.next((b) => b.startsWith('event: message') && JSON.parse(dataOf(b)).id === id);
    return JSON.parse(dataOf(block));
  }

  cancel(): void {
    void this.reader.cancel().catch(() => {});
  }
}

const dataOf = (block: string) =>
  block
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice(6))
    .join('\n');

describe('Streamable HTTP at /mcp', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });

  const clients: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
  });

  it('serves a 2026-07-28 client (v2 SDK, pinned era): discovery and the anonymous tool without a credential', async () => {
    const client = new Client(
      { name: 'modern', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`)));
    expect(client.getProtocolEra()).toBe('modern');

    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['echo', 'whoami']);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('hi');
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['greeting://{name}']);
    await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow(/401|nauthorized/);
  });

  it('hands the caller to tool handlers for a 2026-07-28 client with a token', async () => {
    const client = new Client({ name: 'modern', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    clients.push(client);
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), { requestInit: { headers: bearer('alice') } }),
    );
    expect(client.getProtocolEra()).toBe('modern');
    expect(textOf(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('alice');
    const read = await client.readResource({ uri: 'greeting://world' });
    expect(read.contents[0]).toMatchObject({ text: 'hello world' });
  });

  it('serves a 2025-era client of the v2 SDK (initialize handshake)', async () => {
    const client = new Client({ name: 'legacy-v2', version: '1.0.0' });
    clients.push(client);
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), { requestInit: { headers: bearer('bob') } }),
    );
    expect(client.getProtocolEra()).toBe('legacy');
    expect((await client.listTools()).tools).toHaveLength(2);
    expect(textOf(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('bob');
  });

  it('serves the v1 SDK client (2025-era Streamable HTTP), anonymous and with a token', async () => {
    const anonymous = new V1Client({ name: 'v1', version: '1.0.0' });
    clients.push(anonymous);
    await anonymous.connect(new V1StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`)));
    expect((await anonymous.listTools()).tools.map((t) => t.name)).toContain('echo');
    expect(textOf(await anonymous.callTool({ name: 'echo', arguments: { text: 'v1' } }))).toBe('v1');
    await expect(anonymous.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow();

    const signedIn = new V1Client({ name: 'v1', version: '1.0.0' });
    clients.push(signedIn);
    await signedIn.connect(
      new V1StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), { requestInit: { headers: bearer('carol') } }),
    );
    expect(textOf(await signedIn.callTool({ name: 'whoami', arguments: {} }))).toBe('carol');
  });

  it('answers a 2025-03-26 initialize (no MCP-Protocol-Version header) with that version', async () => {
    const response = await postJson(`${gateway.url}/mcp`, {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'old', version: '0' } },
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    const body = JSON.parse(text.startsWith('{') ? text : dataOf(text.trim()));
    expect(body.result.protocolVersion).toBe('2025-03-26');
    expect(response.headers.get('mcp-session-id')).toBeNull();
  });

  it('refuses a call that needs a credential with 401 and the RFC 9728 challenge', async () => {
    const response = await postJson(
      `${gateway.url}/mcp`,
      { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'whoami', arguments: {} } },
      { 'mcp-protocol-version': '2025-06-18' },
    );
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${RESOURCE_METADATA_URL}"`);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32001 } });
  });

  it('refuses a batch when one of its messages needs a credential', async () => {
    const response = await postJson(`${gateway.url}/mcp`, [
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } },
    ]);
    expect(response.status).toBe(401);
  });

  it('answers an invalid credential with 401 error="invalid_token", even for a discovery call', async () => {
    const response = await postJson(
      `${gateway.url}/mcp`,
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { Authorization: 'Bearer forged' },
    );
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer error="invalid_token"/);
    expect(challenge).toContain(`resource_metadata="${RESOURCE_METADATA_URL}"`);
  });

  it('answers GET and DELETE with 405 and Allow: POST', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(`${gateway.url}/mcp`, { method, headers: { accept: 'text/event-stream' } });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
  });
});

describe('legacy HTTP+SSE', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ heartbeatMs: 50 });
  });

  it('serves the v1 SSE client at /mcp/sse, each POST authenticated on its own', async () => {
    const anonymous = new V1Client({ name: 'sse', version: '1.0.0' });
    await anonymous.connect(new SSEClientTransport(new URL(`${gateway.url}/mcp/sse`)));
    expect((await anonymous.listTools()).tools.map((t) => t.name).sort()).toEqual(['echo', 'whoami']);
    expect(textOf(await anonymous.callTool({ name: 'echo', arguments: { text: 'over sse' } }))).toBe('over sse');
    await expect(anonymous.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow(/401/);
    await anonymous.close();

    const signedIn = new V1Client({ name: 'sse', version: '1.0.0' });
    await signedIn.connect(
      new SSEClientTransport(new URL(`${gateway.url}/mcp/sse`), {
        eventSourceInit: {
          fetch: (url, init) => fetch(url, { ...init, headers: { ...init?.headers, ...bearer('dave') } }),
        },
        requestInit: { headers: bearer('dave') },
      }),
    );
    expect(gateway.transports.sessionCount()).toBe(1);
    expect(textOf(await signedIn.callTool({ name: 'whoami', arguments: {} }))).toBe('dave');
    await signedIn.close();
  });

  it('serves the original design path /mcp/sse/:clientId, and refuses a second stream for that client id', async () => {
    const client = new Client({ name: 'sse-v2', version: '1.0.0' });
    await client.connect(
      new V2SSEClientTransport(new URL(`${gateway.url}/mcp/sse/agent-7`), { requestInit: { headers: bearer('erin') } }),
    );
    expect(textOf(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('erin');

    const second = await fetch(`${gateway.url}/mcp/sse/agent-7`, { headers: { accept: 'text/event-stream' } });
    expect(second.status).toBe(409);
    await client.close();
  });

  it('names /mcp/messages/<clientId> in the endpoint event of a client-id stream', async () => {
    const response = await fetch(`${gateway.url}/mcp/sse/agent-8`, { headers: { accept: 'text/event-stream' } });
    const sse = new SseReader(response);
    expect(new URL(await sse.endpoint(), gateway.url).pathname).toBe('/mcp/messages/agent-8');
    sse.cancel();
  });

  it('sends heartbeat comments on an idle stream and forgets the session on disconnect', async () => {
    const response = await fetch(`${gateway.url}/mcp/sse`, { headers: { accept: 'text/event-stream' } });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const sse = new SseReader(response);
    await sse.endpoint();
    expect(await sse.next((block) => block === ': ping')).toBe(': ping');
    expect(gateway.transports.sessionCount()).toBeGreaterThan(0);
    sse.cancel();
    await expect.poll(() => gateway.transports.sessionCount()).toBe(0);
  });

  it('answers a POST for an unknown session with 404', async () => {
    const response = await postJson(`${gateway.url}/mcp/messages?sessionId=6f1c7f0e-8d7b-4a53-9a35-1d2b7c9e0a11`, {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { message: 'unknown session' } });
  });

  it('authenticates POSTs before looking the session up', async () => {
    const response = await postJson(`${gateway.url}/mcp/messages/nobody`, {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'whoami', arguments: {} },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('resource_metadata=');
  });
});

describe('cross-replica SSE relay over NATS', () => {
  const kitRequire = createRequire(fileURLToPath(new URL('../../packages/kit/package.json', import.meta.url)));
  type Connection = NatsRelayConnection & { drain(): Promise<void> };
  const { connect } = kitRequire('@nats-io/transport-node') as {
    connect(options: { servers: string }): Promise<Connection>;
  };
  const connections: Connection[] = [];
  let a: Gateway;
  let b: Gateway;

  beforeAll(async () => {
    const servers = process.env.NATS_URL ?? '127.0.0.1:4222';
    const [natsA, natsB] = await Promise.all([connect({ servers }), connect({ servers })]);
    connections.push(natsA, natsB);
    a = await startGateway({ nats: natsA, replicaId: 'a' });
    b = await startGateway({ nats: natsB, replicaId: 'b' });
  });

  afterAll(async () => {
    await Promise.all([a.app.close(), b.app.close()]);
    await Promise.all(connections.map((c) => c.drain()));
  });

  it('delivers a POST sent to replica B onto the stream held by replica A, with B’s resolved caller', async () => {
    // The stream belongs to frank, who opened it; every POST into it must come from frank too.
    const sse = new SseReader(
      await fetch(`${a.url}/mcp/sse`, { headers: { accept: 'text/event-stream', ...bearer('frank') } }),
    );
    const endpoint = await sse.endpoint();
    const onB = `${b.url}${endpoint}`;

    const init = await postJson(
      onB,
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
      },
      bearer('frank'),
    );
    expect(init.status).toBe(202);
    expect((await sse.message(1)).result).toMatchObject({ protocolVersion: '2024-11-05' });
    expect((await postJson(onB, { jsonrpc: '2.0', method: 'notifications/initialized' }, bearer('frank'))).status).toBe(
      202,
    );

    const call = await postJson(
      onB,
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } },
      bearer('frank'),
    );
    expect(call.status).toBe(202);
    expect(textOf((await sse.message(2)).result)).toBe('frank');
    expect(a.transports.sessionCount()).toBe(1);
    expect(b.transports.sessionCount()).toBe(0);
    sse.cancel();
  });

  it('lets a real SSE client read from A while its POSTs go to B', async () => {
    const viaB: typeof fetch = (url, init) =>
      init?.method === 'POST' ? fetch(String(url).replace(a.url, b.url), init) : fetch(url, init);
    const client = new V1Client({ name: 'split', version: '1.0.0' });
    await client.connect(
      new SSEClientTransport(new URL(`${a.url}/mcp/sse/split-client`), {
        fetch: viaB,
        requestInit: { headers: bearer('gina') },
      }),
    );
    expect(textOf(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('gina');

    const duplicate = await fetch(`${b.url}/mcp/sse/split-client`, { headers: { accept: 'text/event-stream' } });
    expect(duplicate.status).toBe(409);
    await client.close();
  });

  it('answers 404 when no replica holds the session', async () => {
    const response = await postJson(`${b.url}/mcp/messages?sessionId=0b0f6f9e-1f0a-4c5e-8a43-5b1a6c1d2e3f`, {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
    });
    expect(response.status).toBe(404);
  });
});

describe('HTTP guards', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });

  it('refuses a browser Origin outside the allowlist with 403', async () => {
    const response = await postJson(
      `${gateway.url}/mcp`,
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { Origin: 'https://evil.example' },
    );
    expect(response.status).toBe(403);
  });

  it('answers an allowed Origin with CORS headers that expose the MCP response headers', async () => {
    const preflight = await fetch(`${gateway.url}/mcp`, {
      method: 'OPTIONS',
      headers: {
        Origin: ALLOWED_ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type, mcp-protocol-version',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('mcp-protocol-version');

    const response = await postJson(
      `${gateway.url}/mcp`,
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami' } },
      { Origin: ALLOWED_ORIGIN },
    );
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(response.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');

    const served = await postJson(
      `${gateway.url}/mcp`,
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'b', version: '0' } },
      },
      { Origin: ALLOWED_ORIGIN },
    );
    expect(served.status).toBe(200);
    expect(served.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(served.headers.get('access-control-expose-headers')).toContain('Mcp-Session-Id');
  });

  it('answers a Host it does not serve with 421', async () => {
    const response = await gateway.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { host: 'rebound.evil.example' },
    });
    expect(response.statusCode).toBe(421);
    const served = await gateway.app.inject({ method: 'GET', url: '/healthz', headers: { host: 'mcp.example.com' } });
    expect(served.statusCode).toBe(200);
  });

  it('answers an oversized body with 413 and a JSON-RPC error', async () => {
    const response = await postJson(`${gateway.url}/mcp`, {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'x'.repeat(BODY_LIMIT) } },
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
  });

  it('answers unparseable JSON with a JSON-RPC parse error', async () => {
    const response = await fetch(`${gateway.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: -32700 } });
  });

  it('reports liveness and readiness', async () => {
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
    gateway.setReady(false);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(503);
    gateway.setReady(true);
  });

  it('publishes the protected-resource metadata at both well-known paths', async () => {
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const response = await fetch(`${gateway.url}${path}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        resource: RESOURCE,
        authorization_servers: ['https://auth.example.com'],
        bearer_methods_supported: ['header'],
        scopes_supported: ['mcp'],
      });
    }
  });
});

describe('shutdown', () => {
  it('closes promptly with SSE streams still open, without forcing connections closed', async () => {
    const gateway = await startGateway({}, false);
    const sse = new SseReader(await fetch(`${gateway.url}/mcp/sse`, { headers: { accept: 'text/event-stream' } }));
    await sse.endpoint();
    expect(gateway.transports.sessionCount()).toBe(1);
    const started = Date.now();
    await gateway.app.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(gateway.transports.sessionCount()).toBe(0);
  });
});

describe('MCP Inspector CLI', () => {
  const run = promisify(execFile);
  const inspector = fileURLToPath(
    new URL('../node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js', import.meta.url),
  );
  let gateway: Gateway;
  let home: string;

  beforeAll(async () => {
    gateway = await startGateway();
    home = await mkdtemp(join(tmpdir(), 'inspector-'));
  });

  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  async function inspect(args: string[]): Promise<unknown> {
    const { stdout } = await run(process.execPath, [inspector, '--cli', ...args], {
      // The installed CLI runs directly (no npx resolution); its catalog file goes to a scratch directory.
      env: { ...process.env, HOME: home, MCP_CATALOG_PATH: join(home, 'mcp.json') },
      timeout: 20_000,
    });
    return JSON.parse(stdout);
  }

  for (const [transport, path] of [
    ['http', '/mcp'],
    ['sse', '/mcp/sse'],
  ] as const) {
    it(`lists and calls tools over ${transport}`, async () => {
      const url = `${gateway.url}${path}`;
      const listed = (await inspect([url, '--transport', transport, '--method', 'tools/list'])) as {
        tools: Array<{ name: string }>;
      };
      expect(listed.tools.map((t) => t.name).sort()).toEqual(['echo', 'whoami']);

      const echoed = await inspect([
        url,
        '--transport',
        transport,
        '--method',
        'tools/call',
        '--tool-name',
        'echo',
        '--tool-arg',
        'text=inspected',
      ]);
      expect(textOf(echoed)).toBe('inspected');

      const caller = await inspect([
        url,
        '--transport',
        transport,
        '--header',
        'Authorization: Bearer good-henry',
        '--method',
        'tools/call',
        '--tool-name',
        'whoami',
      ]);
      expect(textOf(caller)).toBe('henry');
    });
  }
});
