/**
 * `pnpm start` / `pnpm fleet <command>`: the whole fleet on one machine, on embedded defaults.
 *
 *   start                     auth, payments, gateway and the provider sandbox as child processes; Postgres from DATABASE_URL
 *                             or embedded PGlite; NATS from NATS_URL or a `nats-server` from PATH; a demo user seeded
 *   user:create --email E --password P [--role R] [--name N]
 *                             create a user in the fleet's database (the running fleet's, unless DATABASE_URL is set)
 *
 * Everything the fleet generates for itself (PGlite data, NATS store, development encryption keys) lives in
 * FLEET_DATA_DIR (default .data/), so a restart keeps users and data.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServiceClient, type ClientHandle } from '@fintech/kit';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA_DIR = resolve(ROOT, process.env.FLEET_DATA_DIR ?? '.data');
const STATE_FILE = join(DATA_DIR, 'fleet.json');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

const PORTS = {
  gateway: Number(process.env.GATEWAY_PORT ?? 8787),
  auth: Number(process.env.AUTH_GRPC_PORT ?? 50051),
  payments: Number(process.env.PAYMENTS_GRPC_PORT ?? 50053),
  paymentsWebhook: Number(process.env.PAYMENTS_WEBHOOK_PORT ?? 8788),
  sandboxStripe: Number(process.env.SANDBOX_STRIPE_PORT ?? 12111),
  sandboxPlaid: Number(process.env.SANDBOX_PLAID_PORT ?? 12112),
  sandboxAlpaca: Number(process.env.SANDBOX_ALPACA_PORT ?? 12113),
  sandboxAdmin: Number(process.env.SANDBOX_ADMIN_PORT ?? 12110),
  pgliteAuth: Number(process.env.FLEET_PGLITE_AUTH_PORT ?? 55432),
  pglitePayments: Number(process.env.FLEET_PGLITE_PAYMENTS_PORT ?? 55433),
  nats: Number(process.env.FLEET_NATS_PORT ?? 4333),
};

const DEMO = {
  email: process.env.FLEET_DEMO_EMAIL ?? 'demo@fintech.local',
  password: process.env.FLEET_DEMO_PASSWORD ?? 'demo-password-change-me',
};

interface FleetState {
  /** The auth service's database (user:create writes there). */
  DATABASE_URL: string;
  NATS_URL: string;
  FIELD_ENCRYPTION_KEYS: string;
}

/**
 * The provider sandbox, unless real provider URLs are configured: returns the Stripe base URL payments should use.
 * The sandbox is told where to deliver Stripe webhooks, signed with the same secret payments verifies them with.
 */
async function startProviders(webhookSecret: string): Promise<{ stripeApiBase: string }> {
  if (process.env.STRIPE_API_BASE) {
    log(`using the Stripe API at ${process.env.STRIPE_API_BASE}`);
    return { stripeApiBase: process.env.STRIPE_API_BASE };
  }
  log(
    `no provider keys: starting the provider sandbox (Stripe ${PORTS.sandboxStripe}, Plaid ${PORTS.sandboxPlaid}, Alpaca ${PORTS.sandboxAlpaca})`,
  );
  startChild('sandbox', [TSX, 'packages/sandbox/src/cli.ts'], {
    SANDBOX_STRIPE_PORT: String(PORTS.sandboxStripe),
    SANDBOX_PLAID_PORT: String(PORTS.sandboxPlaid),
    SANDBOX_ALPACA_PORT: String(PORTS.sandboxAlpaca),
    SANDBOX_ADMIN_PORT: String(PORTS.sandboxAdmin),
  });
  const admin = `http://127.0.0.1:${PORTS.sandboxAdmin}`;
  await waitFor('provider sandbox', async () => (await fetch(`${admin}/health`)).ok);
  const registered = await fetch(`${admin}/stripe/webhook_endpoints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      url: `http://127.0.0.1:${PORTS.paymentsWebhook}/webhooks/stripe`,
      secret: webhookSecret,
    }),
  });
  if (!registered.ok) throw new Error(`registering the Stripe webhook endpoint failed: ${registered.status}`);
  return { stripeApiBase: `http://127.0.0.1:${PORTS.sandboxStripe}` };
}

function log(message: string): void {
  console.log(`[fleet] ${message}`);
}

interface DevSecrets {
  FIELD_ENCRYPTION_KEYS: string;
  STRIPE_WEBHOOK_SECRET: string;
}

/**
 * Development secrets, generated once and kept in the data dir. Real deployments set FIELD_ENCRYPTION_KEYS and
 * STRIPE_WEBHOOK_SECRET themselves; values from the environment always win.
 */
function devSecrets(): DevSecrets {
  const file = join(DATA_DIR, 'dev-secrets.json');
  const stored: Partial<DevSecrets> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DevSecrets) : {};
  const secrets: DevSecrets = {
    FIELD_ENCRYPTION_KEYS: stored.FIELD_ENCRYPTION_KEYS ?? `v1:${randomBytes(32).toString('base64')}`,
    STRIPE_WEBHOOK_SECRET: stored.STRIPE_WEBHOOK_SECRET ?? `whsec_${randomBytes(24).toString('hex')}`,
  };
  if (
    stored.FIELD_ENCRYPTION_KEYS !== secrets.FIELD_ENCRYPTION_KEYS ||
    stored.STRIPE_WEBHOOK_SECRET !== secrets.STRIPE_WEBHOOK_SECRET
  ) {
    mkdirSync(DATA_DIR, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    log(`generated development secrets in ${file} (set FIELD_ENCRYPTION_KEYS and STRIPE_WEBHOOK_SECRET in production)`);
  }
  return {
    FIELD_ENCRYPTION_KEYS: process.env.FIELD_ENCRYPTION_KEYS || secrets.FIELD_ENCRYPTION_KEYS,
    STRIPE_WEBHOOK_SECRET: process.env.STRIPE_WEBHOOK_SECRET || secrets.STRIPE_WEBHOOK_SECRET,
  };
}

function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s`);
}

const children: { name: string; child: ChildProcess }[] = [];

function startChild(name: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(args[0]!, args.slice(1), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}] `;
  const pipe = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) => {
    let buffer = '';
    stream?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) out.write(prefix + line + '\n');
    });
  };
  pipe(child.stdout, process.stdout);
  pipe(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${prefix}exited (${signal ?? code}); stopping the fleet`);
      void stop(1);
    }
  });
  children.push({ name, child });
  return child;
}

let stopping = false;
const cleanups: (() => Promise<void>)[] = [];

async function stop(code = 0): Promise<never> {
  if (stopping) return new Promise(() => undefined);
  stopping = true;
  log('stopping');
  // Reverse order of start: the gateway first, the services, then NATS and the database.
  for (const { child } of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    await new Promise<void>((r) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        r();
      }, 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        r();
      });
    });
  }
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  process.exit(code);
}

/**
 * The database of one service: DATABASE_URL when set, else an embedded PGlite of its own. PGlite serves every
 * connection from a single session, so each service gets its own instance (a session whose search_path is that
 * service's schema) rather than sharing one (see docs/decisions/005-embedded-defaults.md).
 */
async function startDatabase(service: string, schema: string, port: number): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  if (await portOpen(port)) {
    throw new Error(`port ${port} is taken; set FLEET_PGLITE_${service.toUpperCase()}_PORT or DATABASE_URL`);
  }
  const dir = join(DATA_DIR, 'pglite', service);
  log(`no DATABASE_URL: embedded Postgres (PGlite) for ${service} in ${dir} on port ${port}`);
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir);
  await db.exec(`SET search_path TO "${schema}", public`);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 20 });
  await server.start();
  cleanups.push(async () => {
    await server.stop();
    await db.close();
  });
  return `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
}

async function startNats(): Promise<string> {
  if (process.env.NATS_URL) return process.env.NATS_URL;
  const found = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  if (found.error) {
    throw new Error(
      'no NATS_URL and no nats-server on PATH: install it (Debian/Ubuntu: apt-get install nats-server) or set NATS_URL',
    );
  }
  if (await portOpen(PORTS.nats)) throw new Error(`port ${PORTS.nats} is taken; set FLEET_NATS_PORT or NATS_URL`);
  log(`no NATS_URL: starting nats-server with JetStream on port ${PORTS.nats}`);
  startChild(
    'nats',
    ['nats-server', '-js', '-a', '127.0.0.1', '-p', String(PORTS.nats), '-sd', join(DATA_DIR, 'nats')],
    {},
  );
  await waitFor('nats-server', () => portOpen(PORTS.nats));
  return `nats://127.0.0.1:${PORTS.nats}`;
}

async function grpcServing(address: string): Promise<boolean> {
  const client = createServiceClient<{ check(r: object): Promise<{ status: string }> } & ClientHandle>(
    {
      serviceName: 'grpc.health.v1.Health',
      methods: { check: { name: 'Check', path: '/grpc.health.v1.Health/Check' } },
    },
    { address, deadlineMs: 1_000 },
  );
  try {
    return (await client.check({ service: '' })).status === 'SERVING';
  } finally {
    client.close();
  }
}

/** Runs the auth CLI asynchronously: the embedded database lives in this process and must keep answering. */
function runUserCreate(state: FleetState, args: string[]): Promise<number> {
  return new Promise((resolvePromise) => {
    const child = spawn(TSX, [join(ROOT, 'services/auth/src/cli.ts'), 'user:create', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...state, DATABASE_SCHEMA: 'auth' },
      stdio: 'inherit',
    });
    child.once('error', () => resolvePromise(1));
    child.once('exit', (code) => resolvePromise(code ?? 1));
  });
}

async function start(): Promise<void> {
  mkdirSync(DATA_DIR, { recursive: true });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(0));

  const secrets = devSecrets();
  const DATABASE_URL = await startDatabase('auth', 'auth', PORTS.pgliteAuth);
  const paymentsDatabaseUrl = await startDatabase('payments', 'payments', PORTS.pglitePayments);
  const NATS_URL = await startNats();
  const state: FleetState = { DATABASE_URL, NATS_URL, FIELD_ENCRYPTION_KEYS: secrets.FIELD_ENCRYPTION_KEYS };
  // PGlite serves every connection from one session: keep each service to few connections (see docs/decisions).
  const poolEnv: Record<string, string> = process.env.DATABASE_URL ? {} : { DATABASE_POOL_MAX: '2' };
  writeFileSync(STATE_FILE, JSON.stringify({ DATABASE_URL, NATS_URL }, null, 2));

  const logLevel = process.env.LOG_LEVEL ?? 'info';
  const authAddress = `127.0.0.1:${PORTS.auth}`;
  startChild('auth', [TSX, 'services/auth/src/main.ts'], {
    ...state,
    ...poolEnv,
    GRPC_LISTEN: authAddress,
    LOG_LEVEL: logLevel,
  });
  await waitFor('auth service', () => grpcServing(authAddress));

  if (
    (await runUserCreate(state, [
      '--email',
      DEMO.email,
      '--password',
      DEMO.password,
      '--name',
      'Demo User',
      '--if-missing',
    ])) !== 0
  ) {
    throw new Error('seeding the demo user failed');
  }

  const providers = await startProviders(secrets.STRIPE_WEBHOOK_SECRET);
  const paymentsAddress = `127.0.0.1:${PORTS.payments}`;
  startChild('payments', [TSX, 'services/payments/src/main.ts'], {
    ...state,
    DATABASE_URL: paymentsDatabaseUrl,
    ...poolEnv,
    GRPC_LISTEN: paymentsAddress,
    AUTH_GRPC_ADDRESS: authAddress,
    STRIPE_API_BASE: providers.stripeApiBase,
    STRIPE_WEBHOOK_SECRET: secrets.STRIPE_WEBHOOK_SECRET,
    WEBHOOK_PORT: String(PORTS.paymentsWebhook),
    LOG_LEVEL: logLevel,
  });
  await waitFor('payments service', () => grpcServing(paymentsAddress));

  startChild('gateway', [TSX, 'gateway/src/main.ts'], {
    AUTH_GRPC_ADDRESS: authAddress,
    SERVICE_ADDRESSES: `payments=${paymentsAddress}`,
    GATEWAY_PORT: String(PORTS.gateway),
    NATS_URL,
    LOG_LEVEL: logLevel,
  });
  const url = `http://127.0.0.1:${PORTS.gateway}/mcp`;
  await waitFor('gateway', async () => (await fetch(`http://127.0.0.1:${PORTS.gateway}/readyz`)).ok);

  console.log(`
  Fintech MCP fleet is running.

  MCP endpoint (Streamable HTTP):  ${url}
  Legacy SSE endpoint:             http://127.0.0.1:${PORTS.gateway}/mcp/sse

  Sign in: call the tool authenticate_user with
    {"username": "${DEMO.email}", "password": "${DEMO.password}"}
  then send the returned token as the header  Authorization: Bearer <token>

  Then, for example: add_payment_method {"user_id": "me", "payment_token": "pm_card_visa"} and
  initiate_payment {"source_id": "<method_id>", "destination_id": "merchant_demo_coffee", "amount": "12.50",
  "currency": "USD", "description": "coffee"} (the Stripe sandbox stands in for Stripe).

  Client configuration (e.g. .mcp.json):
    {"mcpServers": {"fintech": {"type": "http", "url": "${url}"}}}

  Press Ctrl+C to stop.
`);
  log('ready');
}

async function main(): Promise<void> {
  const [command = 'start', ...args] = process.argv.slice(2);
  if (command === 'start') return start();
  if (command === 'user:create') {
    let state: FleetState;
    if (process.env.DATABASE_URL) {
      state = {
        DATABASE_URL: process.env.DATABASE_URL,
        NATS_URL: '',
        FIELD_ENCRYPTION_KEYS: devSecrets().FIELD_ENCRYPTION_KEYS,
      };
    } else if (existsSync(STATE_FILE)) {
      state = {
        ...(JSON.parse(readFileSync(STATE_FILE, 'utf8')) as FleetState),
        FIELD_ENCRYPTION_KEYS: devSecrets().FIELD_ENCRYPTION_KEYS,
      };
    } else {
      throw new Error('no DATABASE_URL and no running fleet (start it with `pnpm start` first)');
    }
    process.exit(await runUserCreate(state, args));
  }
  console.error(`unknown command "${command}"; commands: start, user:create`);
  process.exit(2);
}

main().catch((error: unknown) => {
  console.error(`[fleet] ${error instanceof Error ? error.message : String(error)}`);
  void stop(1);
});
