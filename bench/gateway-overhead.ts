import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchUser } from './procs/auth-service';
import type { LoadResult, LoadSpec } from './procs/load';
import { spawnChild, type Child } from './lib/child';
import { summariseCpuProfile } from './lib/cpu-profile';
import { authEnv, benchSchema, fieldKeys } from './lib/fleet-env';
import { envList, envNumber, isMain } from './lib/main';
import { diffCpu, machineBusyMs, pidsNamed, snapshotCpu, type CpuSnapshot } from './lib/proc-stat';
import { waitForQuietMachine } from './lib/quiet';
import { report } from './lib/results';
import { fmt, fmtInt, markdownTable } from './lib/stats';

/**
 * Scenario 1: the same read (the caller's profile) four ways, at fixed concurrencies, each server process measured
 * on its own: (a) MCP client → gateway → gRPC → auth service; (b) a single-process MCP server with the same SDK;
 * (c) gRPC straight to the auth service; (d) a plain fastify JSON route. Then the gateway is profiled under load.
 */
type Way = 'a' | 'b' | 'c' | 'd';

const WAYS: Record<Way, string> = {
  a: '(a) MCP → gateway → gRPC → auth',
  b: '(b) single-process MCP server',
  c: '(c) gRPC → auth (direct)',
  d: '(d) fastify JSON route',
};

interface Cell {
  way: Way;
  concurrency: number;
  result: LoadResult;
  /** CPU ms per call, by process. */
  cpuPerCall: Record<string, number>;
  /** Cores' worth of CPU used by processes outside the bench during the window. */
  otherCores: number;
}

interface Processes {
  auth: Child<{ port: number }>;
  gateway: Child<{ url: string }>;
  single: Child<{ origin: string; mcpUrl: string }>;
  load: Child;
}

const USERS = 16;

async function measure(procs: Processes, way: Way, spec: LoadSpec, involved: Record<string, number[]>): Promise<Cell> {
  let before: CpuSnapshot | undefined;
  let after: CpuSnapshot | undefined;
  const watched: Record<string, number[]> = { ...involved, load: [procs.load.pid] };
  const onStart = () => {
    // Postgres backends come and go with the pools' connections: take the ones alive when the window opens.
    if (watched.postgres) watched.postgres = pidsNamed('postgres');
    before = { ...snapshotCpu(watched), machine: new Map([[0, machineBusyMs()]]) };
  };
  const onEnd = () => (after = { ...snapshotCpu(watched), machine: new Map([[0, machineBusyMs()]]) });
  const busy = await waitForQuietMachine();
  if (busy > 0.15) console.warn(`  the machine is busy with other work (${busy.toFixed(2)} cores) — measuring anyway`);
  const offStart = procs.load.on('window-start', onStart);
  const offEnd = procs.load.on('window-end', onEnd);
  const result = await procs.load.call<LoadResult>('run', spec).finally(() => {
    offStart();
    offEnd();
  });
  const used = before && after ? diffCpu(before, after) : {};
  // What the rest of the machine (other users' work) took in the window: the bench cannot be alone on a shared box.
  const ours = Object.entries(used).reduce((sum, [name, ms]) => (name === 'machine' ? sum : sum + ms), 0);
  const otherCores = ((used.machine ?? 0) - ours) / result.seconds / 1000;
  delete used.machine;
  const calls = Math.max(1, result.calls);
  const cpuPerCall = Object.fromEntries(Object.entries(used).map(([name, ms]) => [name, ms / calls]));
  if (result.errors > 0)
    console.warn(`  ${way} c=${spec.concurrency}: ${result.errors} errors, first: ${result.firstError}`);
  console.log(
    `  ${WAYS[way]} c=${spec.concurrency}: ${fmtInt(result.calls / result.seconds)} calls/s, p50 ${fmt(result.p50)} ms, p99 ${fmt(result.p99)} ms, CPU/call ${Object.entries(
      cpuPerCall,
    )
      .map(([n, ms]) => `${n} ${fmt(ms, 3)}`)
      .join(', ')}`,
  );
  return { way, concurrency: spec.concurrency, result, cpuPerCall, otherCores: Math.max(0, otherCores) };
}

export interface GatewayOverheadOptions {
  concurrencies?: number[];
  warmupMs?: number;
  durationMs?: number;
  /** Profile the gateway (node --cpu-prof) during one more (a) run at the highest concurrency. */
  profile?: boolean;
  era?: LoadSpec['era'];
}

export async function runGatewayOverhead(options: GatewayOverheadOptions = {}): Promise<string> {
  const concurrencies = options.concurrencies ?? envList('BENCH_CONCURRENCY', [1, 16, 64]);
  const warmupMs = options.warmupMs ?? envNumber('BENCH_WARMUP_MS', 2_000);
  const durationMs = options.durationMs ?? envNumber('BENCH_DURATION_MS', 5_000);
  const era = options.era ?? ((process.env.BENCH_MCP_ERA as LoadSpec['era']) || '2025-11-25');
  const profile = options.profile ?? process.env.BENCH_PROFILE !== '0';

  const schema = benchSchema('overhead');
  const keys = fieldKeys();
  const env = authEnv(schema, keys);
  console.log(`gateway overhead: schema ${schema}, concurrencies ${concurrencies.join(', ')}, ${durationMs} ms each`);
  const auth = await spawnChild<{ port: number }>('auth-service', { env: { ...env, BENCH_DROP_SCHEMA: '1' } });
  const children: Child[] = [auth];
  try {
    const users = await auth.call<BenchUser[]>('users', { count: USERS });
    const gatewayEnv = {
      GATEWAY_PORT: '0',
      AUTH_GRPC_ADDRESS: `127.0.0.1:${auth.info.port}`,
      LOG_LEVEL: 'warn',
      NATS_URL: '',
    };
    const gateway = await spawnChild<{ url: string }>('gateway', { env: gatewayEnv });
    children.push(gateway);
    const single = await spawnChild<{ origin: string; mcpUrl: string }>('single-server', { env });
    children.push(single);
    const load = await spawnChild('load');
    children.push(load);
    const procs: Processes = { auth, gateway, single, load };
    const pg = pidsNamed('postgres');

    const access = users.map((u) => u.accessToken);
    const specs: Record<
      Way,
      { spec: Omit<LoadSpec, 'concurrency' | 'warmupMs' | 'durationMs'>; involved: Record<string, number[]> }
    > = {
      a: {
        spec: { kind: 'mcp', target: gateway.info.url, tokens: access, era },
        involved: { gateway: [gateway.pid], auth: [auth.pid], postgres: pg },
      },
      b: {
        spec: { kind: 'mcp', target: single.info.mcpUrl, tokens: access, era },
        involved: { single: [single.pid], postgres: pg },
      },
      c: {
        spec: { kind: 'grpc', target: `127.0.0.1:${auth.info.port}`, tokens: users.map((u) => u.internalToken) },
        involved: { auth: [auth.pid], postgres: pg },
      },
      d: {
        spec: { kind: 'http', target: `${single.info.origin}/users/me/profile`, tokens: access },
        involved: { single: [single.pid], postgres: pg },
      },
    };

    // Every process is warmed first (JIT, pools, caches), so the first measured cell is not also the coldest.
    for (const way of ['a', 'b', 'c', 'd'] as const) {
      await load.call('run', { ...specs[way].spec, concurrency: 16, warmupMs: 0, durationMs: warmupMs + 1_000 });
    }

    const cells: Cell[] = [];
    for (const concurrency of concurrencies) {
      for (const way of ['a', 'b', 'c', 'd'] as const) {
        const { spec, involved } = specs[way];
        cells.push(await measure(procs, way, { ...spec, concurrency, warmupMs, durationMs }, involved));
      }
    }

    let profileText = '';
    if (profile) {
      const file = join(mkdtempSync(join(tmpdir(), 'gateway-prof-')), 'gateway.cpuprofile');
      const concurrency = Math.max(...concurrencies);
      // The profiler runs only over the measured window (started on the load generator's window-start event).
      let started: Promise<unknown> = Promise.resolve();
      const off = load.on('window-start', () => (started = gateway.call('profileStart', { intervalUs: 1_000 })));
      const cell = await measure(procs, 'a', { ...specs.a.spec, concurrency, warmupMs, durationMs }, specs.a.involved);
      off();
      await started;
      await gateway.call('profileStop', { file });
      profileText = renderProfile(summariseCpuProfile(file), cell, file);
    }

    return renderReport(cells, concurrencies, era, profileText);
  } finally {
    for (const child of children.reverse()) await child.stop().catch(() => undefined);
  }
}

function renderReport(cells: Cell[], concurrencies: number[], era: string, profileText: string): string {
  const rows = cells.map((cell) => {
    const { result, cpuPerCall } = cell;
    const servers = Object.entries(cpuPerCall).filter(([name]) => name !== 'load');
    const serverTotal = servers.reduce((sum, [, ms]) => sum + ms, 0);
    return [
      WAYS[cell.way],
      String(cell.concurrency),
      fmtInt(result.calls / result.seconds),
      fmt(result.p50),
      fmt(result.p99),
      servers.map(([name, ms]) => `${name} ${fmt(ms, 3)}`).join(', '),
      fmt(serverTotal, 3),
      fmt(cpuPerCall.load, 3),
      fmt(cell.otherCores),
      String(result.errors),
    ];
  });
  const table = markdownTable(
    [
      'way',
      'conc.',
      'calls/s',
      'p50 ms',
      'p99 ms',
      'CPU ms/call by server process',
      'servers ms/call',
      'load gen ms/call',
      'other load, cores',
      'errors',
    ],
    rows,
  );

  const ratioRows = concurrencies.map((c) => {
    const a = cells.find((x) => x.way === 'a' && x.concurrency === c)!.result;
    const b = cells.find((x) => x.way === 'b' && x.concurrency === c)!.result;
    const rateA = a.calls / a.seconds;
    const rateB = b.calls / b.seconds;
    return [
      String(c),
      fmtInt(rateA),
      fmtInt(rateB),
      fmt(rateA / rateB),
      fmt(a.p50 - b.p50),
      rateA >= 1000 ? 'yes' : 'no',
      rateA / rateB >= 0.6 ? 'yes' : 'no',
      a.p50 - b.p50 <= 1 ? 'yes' : 'no',
    ];
  });
  const ratios = markdownTable(
    [
      'conc.',
      '(a) calls/s',
      '(b) calls/s',
      '(a)/(b)',
      'p50 added over (b), ms',
      '(a) ≥ 1,000/s',
      '≥ 0.6×(b)',
      'added p50 ≤ 1 ms',
    ],
    ratioRows,
  );
  return [
    `MCP revision ${era} (Streamable HTTP, stateless); one closed-loop worker per concurrent caller, each with its own MCP session (SDK handshake) and one of ${USERS} users' access tokens; CPU from /proc over the measured window, "postgres" is every Postgres process on the machine, "other load" is CPU used on the machine by processes outside the bench during the window (the machine is shared; high values make that row pessimistic).`,
    '',
    table,
    '',
    'Targets for (a):',
    '',
    ratios,
    profileText ? `\n${profileText}` : '',
  ].join('\n');
}

function renderProfile(summary: ReturnType<typeof summariseCpuProfile>, cell: Cell, file: string): string {
  const rate = cell.result.calls / cell.result.seconds;
  const frames = markdownTable(
    ['self ms', 'share', 'function', 'where'],
    summary.frames.map((f) => [fmt(f.selfMs, 0), `${fmt(f.share * 100, 1)}%`, f.name, f.where]),
  );
  const packages = markdownTable(
    ['self ms', 'share', 'code'],
    summary.packages.map((p) => [fmt(p.selfMs, 0), `${fmt(p.share * 100, 1)}%`, p.name]),
  );
  return [
    `### Gateway profile under (a) at concurrency ${cell.concurrency}`,
    '',
    `V8 CPU profile of the gateway process (the profiler \`node --cpu-prof\` runs, started and stopped through \`node:inspector\` around the measured window only; sampling every 1 ms, which itself costs some CPU, so the profiled run is slower than the table's): ${fmt(summary.busyMs, 0)} ms busy of ${fmt(summary.totalMs, 0)} ms sampled. During the window: ${fmtInt(rate)} calls/s, p50 ${fmt(cell.result.p50)} ms, gateway CPU ${fmt(cell.cpuPerCall.gateway, 3)} ms/call. Profile file: \`${file}\`.`,
    '',
    'Self time by code:',
    '',
    packages,
    '',
    'Top self-time frames:',
    '',
    frames,
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const text = await runGatewayOverhead();
  report('Gateway overhead', text);
}
