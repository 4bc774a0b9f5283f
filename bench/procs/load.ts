import { Agent, request as httpRequest } from 'node:http';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { authV1 } from '@fintech/contracts';
import { createServiceClient, type CallOptions, type ClientHandle } from '@fintech/kit';
import { emitToParent, serveParent } from '../lib/child';
import { quantile, sortedCopy } from '../lib/stats';

/**
 * The load generator, a process of its own: `concurrency` workers, each with its own caller, each sending its next
 * request as soon as the previous one is answered (closed loop), for a warm-up and then a measured window.
 */
export interface LoadSpec {
  kind: 'mcp' | 'http' | 'grpc';
  /** mcp: the Streamable HTTP endpoint; http: the profile URL; grpc: host:port of the auth service. */
  target: string;
  /** mcp/http: access tokens; grpc: internal tokens. Worker i uses token i mod length. */
  tokens: string[];
  /** mcp: the protocol revision the workers negotiate (the SDK client's default is 2025-11-25). */
  era?: '2025-11-25' | '2026-07-28';
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export interface LoadResult {
  calls: number;
  errors: number;
  seconds: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  firstError?: string;
}

const URI = 'users://me/profile';

type Call = () => Promise<void>;

/** One worker's request function: an MCP session per worker (the SDK client's handshake), then resources/read. */
async function mcpWorker(spec: LoadSpec, token: string, agent: Agent): Promise<Call> {
  const era = spec.era ?? '2025-11-25';
  const client = new Client(
    { name: 'bench', version: '1.0.0' },
    era === '2026-07-28' ? { versionNegotiation: { mode: 'auto' } } : {},
  );
  const authorization = `Bearer ${token}`;
  await client.connect(
    new StreamableHTTPClientTransport(new URL(spec.target), {
      requestInit: { headers: { Authorization: authorization } },
    }),
  );
  // Proves the session works end to end before any call is timed.
  const first = await client.readResource({ uri: URI });
  if (!first.contents[0]) throw new Error('resources/read returned no contents');
  await client.close();

  // The timed calls are the same bytes the SDK client sends (headers and body), written on a keep-alive connection
  // without the client library's own cost, so the load generator's CPU does not cap what the servers can do.
  const url = new URL(spec.target);
  let id = 1;
  const headers: Record<string, string> = {
    accept: 'application/json, text/event-stream',
    authorization,
    'content-type': 'application/json',
    'mcp-protocol-version': era,
  };
  const meta =
    era === '2026-07-28'
      ? {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': era,
            'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        }
      : {};
  if (era === '2026-07-28') {
    headers['mcp-method'] = 'resources/read';
    headers['mcp-name'] = URI;
  }
  return async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'resources/read', params: { uri: URI, ...meta } });
    const text = await post(url, headers, body, agent);
    // 2025-era answers come as one SSE event, 2026-era ones as JSON: either way the result must hold the contents.
    if (!text.includes('"contents"')) throw new Error(`unexpected answer: ${text.slice(0, 200)}`);
  };
}

function post(url: URL, headers: Record<string, string>, body: string, agent: Agent): Promise<string> {
  return send(url, 'POST', { ...headers, 'content-length': String(Buffer.byteLength(body)) }, body, agent);
}

function send(url: URL, method: string, headers: Record<string, string>, body: string | null, agent: Agent) {
  return new Promise<string>((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          else resolve(text);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

async function workers(spec: LoadSpec): Promise<{ calls: Call[]; close(): void }> {
  const token = (i: number) => spec.tokens[i % spec.tokens.length]!;
  const indexes = [...Array(spec.concurrency).keys()];
  if (spec.kind === 'grpc') {
    const client = createServiceClient<authV1.AuthServiceClient<CallOptions> & ClientHandle>(
      authV1.AuthServiceDefinition,
      { address: spec.target, deadlineMs: 10_000 },
    );
    const calls = indexes.map((i) => async () => {
      const profile = await client.getUserProfile({ user_id: 'me' }, { token: token(i) });
      if (!profile.user_id) throw new Error('empty profile');
    });
    return { calls, close: () => client.close() };
  }
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });
  if (spec.kind === 'http') {
    const url = new URL(spec.target);
    const calls = indexes.map((i) => async () => {
      const text = await send(url, 'GET', { authorization: `Bearer ${token(i)}` }, null, agent);
      if (!text.includes('"user_id"')) throw new Error('unexpected answer');
    });
    return { calls, close: () => agent.destroy() };
  }
  const calls: Call[] = [];
  for (const i of indexes) calls.push(await mcpWorker(spec, token(i), agent));
  return { calls, close: () => agent.destroy() };
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const { calls, close } = await workers(spec);
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const windowStart = started + spec.warmupMs;
  const windowEnd = windowStart + spec.durationMs;
  let announced = false;

  const loop = async (call: Call) => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= windowEnd) return;
      if (!announced && t0 >= windowStart) {
        announced = true;
        emitToParent('window-start');
      }
      try {
        await call();
        const t1 = performance.now();
        if (t0 >= windowStart && t1 <= windowEnd) latencies.push(t1 - t0);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  };
  await Promise.all(calls.map(loop));
  emitToParent('window-end');
  close();
  const sorted = sortedCopy(latencies);
  const seconds = spec.durationMs / 1000;
  return {
    calls: latencies.length,
    errors,
    seconds,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    ...(firstError !== undefined && { firstError }),
  };
}

serveParent({}, { run }, async () => undefined);
