import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { fleetManifest, localPortEnvs } from '@fintech/contracts';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

/**
 * `pnpm start` as a newcomer runs it (scripts/fleet.ts on its embedded defaults: one embedded PostgreSQL server, a
 * nats-server from PATH, the provider sandbox, every process of the manifest as a child), on free ports and a data
 * dir of the test's choosing, so a test can stop it and start it again on the same data.
 */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEMO = { email: 'demo@fintech.local', password: 'demo-password-change-me' };
/** The key payments uses against the sandbox by default (services/payments/src/env.ts). */
export const SANDBOX_STRIPE_KEY = 'sk_test_fintech_sandbox';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Free ports for everything the fleet listens on, as the variables scripts/fleet.ts reads. */
export async function fleetPorts(): Promise<Record<string, string>> {
  const ports: Record<string, string> = {};
  for (const name of localPortEnvs()) ports[name] = String(await freePort());
  return ports;
}

/**
 * A line at error level or worse in the fleet's output: a pino record of level 50 (error) or 60 (fatal), a Postgres
 * ERROR/FATAL/PANIC, a nats-server [ERR]/[FTL], an error the provider sandbox reports, or the fleet's own report of a
 * child that exited.
 */
export function errorLines(output: string): string[] {
  return output
    .split('\n')
    .filter(
      (line) =>
        /"level":\s*(5\d|6\d)\b/.test(line) ||
        /\b(ERROR|FATAL|PANIC):\s/.test(line) ||
        /\[(ERR|FTL)\]/.test(line) ||
        /^\[sandbox\] .*\berror\b/i.test(line) ||
        /^\[fleet\] .* exited/.test(line),
    );
}

export interface FleetProcess {
  readonly child: ChildProcess;
  readonly env: NodeJS.ProcessEnv;
  /** The MCP endpoint (Streamable HTTP). */
  readonly url: string;
  readonly stripeUrl: string;
  /** Everything the fleet printed so far (its children's lines are prefixed with their name). */
  output(): string;
  /** Seconds to ready, processes and MB of RSS and PSS, as the fleet measured them at ready. */
  readonly readiness: { seconds: number; processes: number; rssMb: number; pssMb: number };
  /** Resolves when a line matching `pattern` appears after `from` characters of output. */
  waitForOutput(pattern: RegExp, timeoutMs: number, from?: number): Promise<string>;
  /** The pid of one process of the fleet manifest (e.g. "payments"), read from /proc. */
  pidOf(name: string): number;
  /** SIGTERM, as Ctrl+C would, and wait for the fleet to exit. */
  stop(): Promise<number | null>;
}

export async function startFleetProcess(dataDir: string, ports: Record<string, string>): Promise<FleetProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...ports, FLEET_DATA_DIR: dataDir, LOG_LEVEL: 'info' };
  for (const key of ['DATABASE_URL', 'NATS_URL', 'FIELD_ENCRYPTION_KEYS', 'STRIPE_API_BASE', 'STRIPE_WEBHOOK_SECRET']) {
    delete env[key];
  }
  const child = spawn(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', 'scripts/fleet.ts', 'start'], {
    cwd: ROOT,
    env,
  });
  let output = '';
  // FLEET_TEST_LOG=<file> keeps the fleet's output for reading after a failed run.
  const keep = process.env.FLEET_TEST_LOG;
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (keep) appendFileSync(keep, chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const waitForOutput = async (pattern: RegExp, timeoutMs: number, from = 0): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = output
        .slice(from)
        .split('\n')
        .find((line) => pattern.test(line));
      if (match) return match;
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`no line matching ${pattern} in the fleet output:\n${output.slice(-6000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const readyLine = await waitForOutput(/^\[fleet\] ready in/, 120_000);
  const figures = /ready in ([\d.]+) s; (\d+) processes, (\d+) MB RSS \((\d+) MB PSS\)/.exec(readyLine);
  const readiness = {
    seconds: Number(figures?.[1]),
    processes: Number(figures?.[2]),
    rssMb: Number(figures?.[3]),
    pssMb: Number(figures?.[4]),
  };

  return {
    child,
    env,
    url: `http://127.0.0.1:${ports.GATEWAY_PORT}/mcp`,
    stripeUrl: `http://127.0.0.1:${ports.SANDBOX_STRIPE_PORT}`,
    output: () => output,
    readiness,
    waitForOutput,
    pidOf(name) {
      const main = fleetManifest.find((entry) => entry.name === name)?.main;
      if (!main) throw new Error(`no process "${name}" in the fleet manifest`);
      for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
          if (parent === child.pid && command.includes(main)) return Number(pid);
        } catch {
          // exited meanwhile
        }
      }
      throw new Error(`no running ${name} under the fleet (pid ${child.pid})`);
    },
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      return exited;
    },
  };
}

export type ToolResult = {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent: Record<string, unknown> & { error?: { reason: string; message: string } };
};

/** An MCP SDK client over Streamable HTTP, with the caller's token when there is one. */
export async function connectMcp(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'fleet-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(
      new URL(url),
      token ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : {},
    ),
  );
  return client;
}

export async function callTool(client: Client, name: string, args: Record<string, unknown>): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

export async function signInDemo(url: string): Promise<string> {
  const anonymous = await connectMcp(url);
  try {
    const result = await callTool(anonymous, 'authenticate_user', { username: DEMO.email, password: DEMO.password });
    if (result.structuredContent.status !== 'authenticated') {
      throw new Error(`demo sign-in failed: ${JSON.stringify(result.structuredContent)}`);
    }
    return String(result.structuredContent.token);
  } finally {
    await anonymous.close();
  }
}

/**
 * The quick-start flow of the README: sign in as the demo user, add a card, pay a merchant, refund part of it.
 * Returns what it did, so a caller can look for it later (e.g. after a restart).
 */
export async function demoFlow(url: string, label: string): Promise<{ paymentId: string; methodId: string }> {
  const token = await signInDemo(url);
  const client = await connectMcp(url, token);
  try {
    const added = await callTool(client, 'add_payment_method', {
      user_id: 'me',
      payment_token: 'pm_card_visa',
      set_default: true,
    });
    if (added.isError) throw new Error(`add_payment_method: ${JSON.stringify(added.structuredContent)}`);
    const method = added.structuredContent.method as { method_id: string; last4: string };
    const paid = await callTool(client, 'initiate_payment', {
      source_id: method.method_id,
      destination_id: 'merchant_demo_coffee',
      amount: '12.50',
      currency: 'USD',
      description: `coffee ${label}`,
    });
    if (paid.isError || paid.structuredContent.status !== 'succeeded') {
      throw new Error(`initiate_payment: ${JSON.stringify(paid.structuredContent)}`);
    }
    const paymentId = String((paid.structuredContent.payment as { payment_id: string }).payment_id);
    const refunded = await callTool(client, 'process_refund', {
      payment_id: paymentId,
      amount: '2.50',
      reason: 'requested_by_customer',
    });
    if (refunded.isError) throw new Error(`process_refund: ${JSON.stringify(refunded.structuredContent)}`);
    return { paymentId, methodId: method.method_id };
  } finally {
    await client.close();
  }
}
