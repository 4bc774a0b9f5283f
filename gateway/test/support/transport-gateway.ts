import { McpServer, ResourceTemplate } from '@modelcontextprotocol/server';
import type { AuthInfo, JSONRPCMessage } from '@modelcontextprotocol/server';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';

import { registerHttpSecurity } from '../../src/http/index';
import { registerAnonymousRateLimit } from '../../src/policy/anonymous-rate-limit';
import { registerMcpTransports } from '../../src/transports/index';
import type { McpTransports, NatsRelayConnection } from '../../src/transports/index';

/** A JSON-RPC response as these tests read it. */
export interface RpcMessage {
  id?: unknown;
  result?: { protocolVersion?: string; contents?: Array<{ text?: string }>; content?: Array<{ text?: string }> };
  error?: { code: number; message: string };
}

/** What the gateway's server did, counted where it happens: the handlers themselves. */
export interface Evaluations {
  /** `authenticate_user` calls evaluated (each one a password check). */
  signIns: number;
  /** `resources/read` of `account://{id}` evaluated. */
  reads: number;
}

export interface TransportGateway {
  app: FastifyInstance;
  /** The origin, e.g. http://127.0.0.1:40123. */
  url: string;
  transports: McpTransports;
  evaluations: Evaluations;
}

const PASSWORD = 'correct horse battery staple';

/**
 * The server behind the transports in these tests: an anonymous sign-in tool that checks a password, a tool that
 * names its caller, and a resource only a signed-in caller may read. Counters record every evaluation.
 */
function createServer(evaluations: Evaluations): McpServer {
  const server = new McpServer({ name: 'transport-attack-test', version: '1.0.0' });
  server.registerTool(
    'authenticate_user',
    { description: 'Sign in', inputSchema: z.object({ email: z.string(), password: z.string() }) },
    async ({ password }) => {
      evaluations.signIns += 1;
      return password === PASSWORD
        ? { content: [{ type: 'text', text: 'signed in' }] }
        : { content: [{ type: 'text', text: 'INVALID_CREDENTIALS' }], isError: true };
    },
  );
  server.registerTool('whoami', { description: 'Name the caller' }, async (ctx) => ({
    content: [{ type: 'text', text: String(ctx.http?.authInfo?.extra?.userId ?? 'anonymous') }],
  }));
  server.registerResource(
    'account',
    new ResourceTemplate('account://{id}', { list: undefined }),
    { description: 'An account' },
    async (uri, { id }) => {
      evaluations.reads += 1;
      return { contents: [{ uri: uri.href, text: `account ${String(id)}` }] };
    },
  );
  return server;
}

const ANONYMOUS_METHODS = new Set(['initialize', 'ping', 'tools/list', 'resources/templates/list']);

function allowAnonymous(message: JSONRPCMessage): boolean {
  if (!('method' in message)) return false;
  if (message.method.startsWith('notifications/') || ANONYMOUS_METHODS.has(message.method)) return true;
  return message.method === 'tools/call' && message.params?.name === 'authenticate_user';
}

/**
 * Accepts `Bearer <user>.<token-id>`: the caller is `<user>`, and two token ids of one user are two credentials of
 * one principal (as a refreshed token is). Anything else is an invalid credential.
 */
async function authenticate(request: {
  headers: Record<string, string | string[] | undefined>;
}): Promise<AuthInfo | null> {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = /^Bearer ([a-z]+)\.([a-z0-9]+)$/.exec(String(header));
  if (!match?.[1] || !match[2]) throw new Error('invalid token');
  return {
    token: `${match[1]}.${match[2]}`,
    clientId: 'shared-oauth-client',
    scopes: ['mcp'],
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
    extra: { userId: match[1] },
  };
}

export const bearer = (user: string, tokenId = '1') => ({ Authorization: `Bearer ${user}.${tokenId}` });

/**
 * A gateway's HTTP stack as app.ts assembles it (guards, the anonymous limit, both transports) on a free port, over
 * the test server above. Every caller shares one OAuth client id, so only the user id can tell principals apart.
 */
export async function startTransportGateway(
  options: { anonymousPerMinute?: number; nats?: NatsRelayConnection; replicaId?: string } = {},
): Promise<TransportGateway> {
  const evaluations: Evaluations = { signIns: 0, reads: 0 };
  const app = Fastify({ forceCloseConnections: true });
  await registerHttpSecurity(app, { allowedOrigins: [], allowedHosts: [], bodyLimitBytes: 1024 * 1024 });
  registerAnonymousRateLimit(app, { perMinute: options.anonymousPerMinute ?? 0 });
  const transports = await registerMcpTransports(app, {
    createServer: () => createServer(evaluations),
    authenticate,
    allowAnonymous,
    principalOf: (authInfo) => `user:${String(authInfo.extra?.userId)}`,
    resourceMetadataUrl: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
    ...(options.nats && { nats: options.nats }),
    ...(options.replicaId && { replicaId: options.replicaId }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { app, url: `http://127.0.0.1:${address.port}`, transports, evaluations };
}

export { PASSWORD };

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

/** The JSON-RPC messages of a Streamable HTTP answer, whether it came as JSON or as an SSE stream. */
export async function messagesOf(response: Response): Promise<RpcMessage[]> {
  const text = await response.text();
  if (response.headers.get('content-type')?.includes('text/event-stream')) {
    return text
      .split('\n\n')
      .map(dataOf)
      .filter((data) => data.length > 0)
      .flatMap((data) => JSON.parse(data));
  }
  const parsed = JSON.parse(text);
  return Array.isArray(parsed) ? parsed : [parsed];
}

export const dataOf = (block: string): string =>
  block
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice(6))
    .join('\n');

/** Reads a legacy SSE stream and keeps every event, so that a test can show what did NOT arrive. */
export class SseRecorder {
  readonly events: Array<{ event: string; data: string }> = [];
  private buffer = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private readonly done: Promise<void>;
  private waiters: Array<() => void> = [];

  constructor(response: Response) {
    if (!response.body) throw new Error('no body');
    this.reader = response.body.getReader();
    this.done = this.pump();
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const chunk = await this.reader.read();
        if (chunk.done) return;
        this.buffer += this.decoder.decode(chunk.value, { stream: true });
        let end: number;
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          const block = this.buffer.slice(0, end);
          this.buffer = this.buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          if (event) this.events.push({ event, data: dataOf(block) });
          for (const wake of this.waiters.splice(0)) wake();
        }
      }
    } catch {
      // The stream was cancelled.
    }
  }

  private async until<T>(find: () => T | undefined, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error('timed out waiting for an SSE event');
      await Promise.race([
        new Promise<void>((resolve) => this.waiters.push(resolve)),
        new Promise<void>((resolve) => setTimeout(resolve, remaining)),
        this.done,
      ]);
    }
  }

  async endpoint(): Promise<string> {
    return this.until(() => this.events.find((e) => e.event === 'endpoint')?.data);
  }

  /** Every JSON-RPC message received so far. */
  messages(): RpcMessage[] {
    return this.events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data));
  }

  async message(id: unknown): Promise<RpcMessage> {
    return this.until(() => this.messages().find((m) => m.id === id));
  }

  cancel(): void {
    void this.reader.cancel().catch(() => {});
  }
}

export const initialize = (id: number, protocolVersion: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
});
