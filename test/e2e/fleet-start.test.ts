import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorLines, fleetPorts } from './fleet-process';

/**
 * The quick start, as a newcomer runs it: `pnpm start` (scripts/fleet.ts) on its embedded defaults — one embedded
 * PostgreSQL server, a nats-server from PATH, the provider sandbox, every process of the fleet manifest as a child —
 * driven by clients nobody here wrote: the MCP Inspector CLI and the MCP SDK client over legacy SSE.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const require = createRequire(import.meta.url);
const INSPECTOR = join(
  dirname(require.resolve('@modelcontextprotocol/inspector/package.json')),
  'clients/launcher/build/index.js',
);

let fleet: ChildProcess;
let output = '';
let dataDir: string;
let home: string;
let env: NodeJS.ProcessEnv;
let url: string;
const DEMO = { email: 'demo@fintech.local', password: 'demo-password-change-me' };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fleet-'));
  home = await mkdtemp(join(tmpdir(), 'inspector-'));
  env = {
    ...process.env,
    DATABASE_URL: '',
    NATS_URL: '',
    FIELD_ENCRYPTION_KEYS: '',
    FLEET_DATA_DIR: dataDir,
    ...(await fleetPorts()),
    LOG_LEVEL: 'info',
  };
  for (const key of ['DATABASE_URL', 'NATS_URL', 'FIELD_ENCRYPTION_KEYS', 'STRIPE_API_BASE', 'STRIPE_WEBHOOK_SECRET']) {
    delete env[key];
  }
  url = `http://127.0.0.1:${env.GATEWAY_PORT}/mcp`;
  fleet = spawn(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', 'scripts/fleet.ts', 'start'], {
    cwd: ROOT,
    env,
  });
  fleet.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  fleet.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 90_000;
  while (!output.includes('[fleet] ready in')) {
    if (fleet.exitCode !== null || Date.now() > deadline) throw new Error(`the fleet did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // The fleet measures itself at ready (time since start, RSS and PSS of its process tree from /proc); the figures
  // are printed for the README, not asserted (a loaded CI machine is no benchmark).
  console.log(`[fleet-start] ${output.split('\n').find((line) => line.startsWith('[fleet] ready in'))}`);
}, 180_000);

afterAll(async () => {
  if (fleet && fleet.exitCode === null) {
    const exited = new Promise((r) => fleet.once('exit', r));
    fleet.kill('SIGTERM');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
}, 30_000);

async function inspect(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [INSPECTOR, '--cli', ...args], {
    env: { ...process.env, HOME: home, MCP_CATALOG_PATH: join(home, 'mcp.json') },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

function structured(result: Record<string, unknown>): Record<string, unknown> {
  return result.structuredContent as Record<string, unknown>;
}

/** One Inspector CLI call over Streamable HTTP, with the caller's token when there is one. */
function mcp(token: string | null, method: string, ...args: string[]): Promise<Record<string, unknown>> {
  const header = token ? ['--header', `Authorization: Bearer ${token}`] : [];
  return inspect([url, '--transport', 'http', ...header, '--method', method, ...args]);
}

function callTool(token: string | null, tool: string, ...args: string[]): Promise<Record<string, unknown>> {
  return mcp(token, 'tools/call', '--tool-name', tool, '--tool-arg', ...args).then(structured);
}

async function signInDemo(): Promise<string> {
  const signIn = await callTool(null, 'authenticate_user', `username=${DEMO.email}`, `password=${DEMO.password}`);
  expect(signIn.status).toBe('authenticated');
  return String(signIn.token);
}

describe('pnpm start', () => {
  it('prints the MCP URL and how to sign in', () => {
    expect(output).toContain(url);
    expect(output).toContain('authenticate_user');
    expect(output).toContain(DEMO.email);
  });

  it('serves the Inspector CLI over Streamable HTTP: discovery, sign-in, own profile, refusals', async () => {
    const anonymous = (await mcp(null, 'tools/list')) as { tools: { name: string }[] };
    expect(anonymous.tools.map((t) => t.name)).toContain('authenticate_user');
    expect(anonymous.tools.map((t) => t.name)).not.toContain('update_user_profile');

    const token = await signInDemo();
    const tools = (await mcp(token, 'tools/list')) as { tools: { name: string }[] };
    expect(tools.tools.map((t) => t.name)).toContain('update_user_profile');
    const templates = (await mcp(token, 'resources/templates/list')) as {
      resourceTemplates: { uriTemplate: string }[];
    };
    expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toContain('users://{user_id}/permissions');

    const read = (await mcp(token, 'resources/read', '--uri', 'users://me/profile')) as {
      contents: { text: string }[];
    };
    const profile = JSON.parse(read.contents[0]!.text) as { email: string; user_id: string };
    expect(profile.email).toBe(DEMO.email);

    const updated = await callTool(
      token,
      'update_user_profile',
      'user_id=me',
      'profile_data={"full_name":"Demo Renamed"}',
    );
    expect(updated).toMatchObject({ success: true, updated_fields: ['full_name'] });

    // Another user, created with the fleet's own command, is out of the demo user's reach.
    const created = await run(
      join(ROOT, 'node_modules/.bin/tsx'),
      ['scripts/fleet.ts', 'user:create', '--email', 'other@fintech.local', '--password', 'another long password'],
      { cwd: ROOT, env, timeout: 60_000 },
    );
    const other = JSON.parse(created.stdout.trim().split('\n').pop()!) as { user_id: string };
    await expect(mcp(token, 'resources/read', '--uri', `users://${other.user_id}/profile`)).rejects.toThrow(
      /another user/,
    );

    // No token: the gateway answers 401 naming its protected-resource metadata, and the CLI (which would then start
    // an OAuth sign-in, impossible without a terminal) fails.
    await expect(mcp(null, 'resources/read', '--uri', 'users://me/profile')).rejects.toThrow(
      /401|nauthorized|auth_required/,
    );
  }, 120_000);

  it('moves money through the payments service and the provider sandbox: add a card, pay, refund', async () => {
    const token = await signInDemo();
    const added = (await callTool(
      token,
      'add_payment_method',
      'user_id=me',
      'payment_token=pm_card_visa',
      'set_default=true',
    )) as { method: { method_id: string; brand: string; last4: string } };
    expect(added.method).toMatchObject({ brand: 'visa', last4: '4242' });
    const paid = await callTool(
      token,
      'initiate_payment',
      `source_id=${added.method.method_id}`,
      'destination_id=merchant_demo_coffee',
      'amount="12.50"',
      'currency=USD',
      'description=coffee beans',
    );
    expect(paid).toMatchObject({ status: 'succeeded' });
    const paymentId = (paid.payment as { payment_id: string }).payment_id;
    const refunded = await callTool(token, 'process_refund', `payment_id=${paymentId}`, 'amount="2.50"');
    expect(refunded).toMatchObject({ refund: { status: 'succeeded' } });
  }, 120_000);

  it('serves the SDK client over legacy SSE', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'authenticate_user', arguments: { username: DEMO.email, password: DEMO.password } },
      }),
    });
    const text = await response.text();
    const body = JSON.parse(
      text.startsWith('{')
        ? text
        : text
            .split('\n')
            .find((l) => l.startsWith('data:'))!
            .slice(5),
    );
    const token = String(body.result.structuredContent.token);
    const client = new V1Client({ name: 'sse', version: '1.0.0' });
    const headers = { Authorization: `Bearer ${token}` };
    await client.connect(
      new SSEClientTransport(new URL(url.replace(/\/mcp$/, '/mcp/sse')), {
        requestInit: { headers },
        eventSourceInit: {
          fetch: (u, init) => fetch(u, { ...init, headers: { ...(init?.headers as object), ...headers } }),
        },
      }),
    );
    try {
      const read = await client.readResource({ uri: 'users://me/permissions' });
      expect(JSON.parse((read.contents[0] as { text: string }).text)).toMatchObject({ role: 'customer' });
    } finally {
      await client.close();
    }
  });

  it('logged nothing at error level through all of the above', () => {
    expect(errorLines(output)).toEqual([]);
  });
});
