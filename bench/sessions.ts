import { spawnSync } from 'node:child_process';
import type { BenchUser } from './procs/auth-service';
import { spawnChild, type Child } from './lib/child';
import { authEnv, benchSchema, fieldKeys, NATS_URL } from './lib/fleet-env';
import { envNumber, isMain } from './lib/main';
import { cpuMs, rssBytes } from './lib/proc-stat';
import { report } from './lib/results';
import { fmt, fmtInt, markdownTable, mib } from './lib/stats';

/**
 * Scenario 2: idle legacy HTTP+SSE sessions (`GET /mcp/sse`, each with its own McpServer, heartbeats on) ramped
 * against one gateway process until a failure or the ceiling, from several client processes. Reports RSS per session
 * and how many sessions one replica holds under 1 GiB.
 */
const GIB = 1024 ** 3;

/**
 * Each session holds one socket in the gateway, so the open-file limit caps the ramp. Raises the gateway's limit
 * with prlimit(1) where the machine allows it (it needs CAP_SYS_RESOURCE beyond the hard limit); otherwise the
 * report names the limit that stopped the ramp.
 */
function raiseFileLimit(pid: number): boolean {
  const result = spawnSync('prlimit', [`--pid=${pid}`, '--nofile=65536:65536'], { encoding: 'utf8' });
  if (result.status === 0) return true;
  console.log(
    `  could not raise the gateway's open-file limit: ${(result.stderr || result.error?.message || '').trim()}`,
  );
  return false;
}

interface Step {
  sessions: number;
  rss: number;
  heapUsed: number;
  openSeconds: number;
  failed: number;
}

interface HolderStatus {
  open: number;
  beating: number;
  lost: number;
}

export interface SessionsOptions {
  ceiling?: number;
  step?: number;
  holders?: number;
  heartbeatMs?: number;
}

export async function runSessions(options: SessionsOptions = {}): Promise<string> {
  const ceiling = options.ceiling ?? envNumber('BENCH_SESSIONS', 20_000);
  const step = options.step ?? envNumber('BENCH_SESSIONS_STEP', 2_000);
  const holderCount = options.holders ?? 4;
  const heartbeatMs = options.heartbeatMs ?? envNumber('BENCH_HEARTBEAT_MS', 5_000);

  const env = authEnv(benchSchema('sessions'), fieldKeys());
  console.log(
    `sessions: ramp to ${ceiling} in steps of ${step}, ${holderCount} client processes, heartbeat ${heartbeatMs} ms`,
  );
  const children: Child[] = [];
  try {
    const auth = await spawnChild<{ port: number }>('auth-service', { env: { ...env, BENCH_DROP_SCHEMA: '1' } });
    children.push(auth);
    const tokens = (await auth.call<BenchUser[]>('users', { count: 16 })).map((u) => u.accessToken);
    // The production configuration: NATS on, so every stream also subscribes to its relay subject.
    const gateway = await spawnChild<{ url: string; origin: string }>('gateway', {
      env: {
        GATEWAY_PORT: '0',
        AUTH_GRPC_ADDRESS: `127.0.0.1:${auth.info.port}`,
        LOG_LEVEL: 'warn',
        NATS_URL,
        SSE_HEARTBEAT_MS: String(heartbeatMs),
      },
    });
    children.push(gateway);
    const limitRaised = raiseFileLimit(gateway.pid);
    const holders: Child[] = [];
    for (let i = 0; i < holderCount; i++) holders.push(await spawnChild(`sse-holder`));
    children.push(...holders);
    const origin = gateway.info.origin;
    // RSS is read from /proc by this process; the heap figure needs the gateway itself, which cannot answer when it
    // has no file descriptor left (memoryUsage opens /proc/self/statm).
    const memory = async () => {
      const usage = await gateway.call<NodeJS.MemoryUsage>('memory').catch(() => null);
      return { rss: rssBytes(gateway.pid), heapUsed: usage?.heapUsed ?? Number.NaN };
    };

    // A first small batch warms the code paths; the baseline is taken after it is closed again.
    await Promise.all(
      holders.map((h) => h.call('open', { origin, tokens, count: 25, concurrency: 5, timeoutMs: 10_000 })),
    );
    await Promise.all(holders.map((h) => h.call('closeAll')));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const base = await memory();
    const steps: Step[] = [{ sessions: 0, ...base, openSeconds: 0, failed: 0 }];
    let failure: string | undefined;
    let held = 0;

    while (held < ceiling) {
      const count = Math.min(step, ceiling - held);
      const started = performance.now();
      const results = await Promise.all(
        holders.map((h, i) =>
          h.call<{ opened: number; failed: number; firstError?: string }>('open', {
            origin,
            tokens,
            count: Math.floor(count / holderCount) + (i < count % holderCount ? 1 : 0),
            concurrency: 32,
            timeoutMs: 20_000,
          }),
        ),
      );
      const openSeconds = (performance.now() - started) / 1000;
      const failed = results.reduce((sum, r) => sum + r.failed, 0);
      const statuses = await Promise.all(holders.map((h) => h.call<HolderStatus>('status', { withinMs: 1e12 })));
      held = statuses.reduce((sum, s) => sum + s.open, 0);
      const sample = await memory();
      steps.push({ sessions: held, ...sample, openSeconds, failed });
      console.log(
        `  ${fmtInt(held)} sessions: RSS ${mib(sample.rss)}, heap ${mib(sample.heapUsed)}, opened ${count - failed} in ${fmt(openSeconds, 1)} s, ${failed} failed`,
      );
      if (failed > 0) {
        failure = results.find((r) => r.firstError)?.firstError ?? 'open failed';
        break;
      }
      if (sample.rss >= GIB) {
        failure = 'gateway RSS reached 1 GiB';
        break;
      }
      if (gateway.process.exitCode !== null) {
        failure = 'gateway exited';
        break;
      }
    }

    // Hold the sessions idle over two heartbeat intervals: every stream must still be open and beating, and the
    // replica must still answer a message on one of them.
    const holdMs = 2 * heartbeatMs + 1_000;
    const cpuBefore = cpuMs(gateway.pid);
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    const idleCores = (cpuMs(gateway.pid) - cpuBefore) / holdMs;
    const statuses = await Promise.all(
      holders.map((h) => h.call<HolderStatus>('status', { withinMs: heartbeatMs + 2_000 })),
    );
    const open = statuses.reduce((sum, s) => sum + s.open, 0);
    const beating = statuses.reduce((sum, s) => sum + s.beating, 0);
    const lost = statuses.reduce((sum, s) => sum + s.lost, 0);
    // A gateway at its descriptor limit cannot accept the POST: free a few first.
    if (failure) await holders[0]!.call('closeSome', { count: 50 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const probe = await holders[0]!
      .call<{ ms: number }>('probe', { origin, token: tokens[0] })
      .catch((error: Error) => ({
        ms: Number.NaN,
        error: error.message,
      }));
    const final = await memory();

    const top = steps[steps.length - 1]!;
    const perSession = top.sessions > 0 ? (top.rss - base.rss) / top.sessions : Number.NaN;
    const under1GiB = steps.filter((s) => s.rss < GIB).reduce((max, s) => Math.max(max, s.sessions), 0);
    const extrapolated = perSession > 0 ? Math.floor((GIB - base.rss) / perSession) : Number.NaN;
    const fdLimit = await import('node:fs').then(
      (fs) => /Max open files\s+(\d+)/.exec(fs.readFileSync(`/proc/${gateway.pid}/limits`, 'utf8'))?.[1],
    );

    const table = markdownTable(
      ['sessions', 'gateway RSS', 'heap used', 'RSS per session (vs. 0)', 'step open time', 'failed opens'],
      steps.map((s) => [
        fmtInt(s.sessions),
        mib(s.rss),
        mib(s.heapUsed),
        s.sessions > 0 ? `${fmt((s.rss - base.rss) / s.sessions / 1024, 1)} KiB` : '—',
        s.sessions > 0 ? `${fmt(s.openSeconds, 1)} s` : '—',
        String(s.failed),
      ]),
    );
    const summary = markdownTable(
      ['measure', 'value'],
      [
        [
          'sessions held (open and beating after the hold)',
          `${fmtInt(beating)} of ${fmtInt(open)} open (${lost} closed by the server)`,
        ],
        [
          'stopped because',
          failure === undefined
            ? `reached the ceiling of ${fmtInt(ceiling)}`
            : fdLimit !== undefined && top.sessions + 100 >= Number(fdLimit)
              ? `${failure}: the gateway process ran out of file descriptors (limit ${fdLimit}, one socket per session${limitRaised ? '' : '; prlimit could not raise it on this machine'})`
              : failure,
        ],
        ['RSS per session', `${fmt(perSession / 1024, 1)} KiB`],
        ['most sessions measured under 1 GiB RSS', fmtInt(under1GiB)],
        ['sessions 1 GiB would hold at that rate (extrapolated)', fmtInt(extrapolated)],
        ['gateway RSS at the end / after the hold', `${mib(top.rss)} / ${mib(final.rss)}`],
        [
          'gateway CPU while holding them idle',
          `${fmt(idleCores * 100, 1)} % of a core (heartbeats every ${heartbeatMs} ms)`,
        ],
        [
          'JSON-RPC ping on a held session (after closing 50 when at the limit), POST to answer on its stream',
          'error' in probe ? `failed: ${String(probe.error)}` : `${fmt(probe.ms)} ms`,
        ],
        ['target ≥ 10,000 sessions', beating >= 10_000 ? 'met' : 'missed'],
        ['open-file limit of the gateway process', fdLimit ?? 'unknown'],
      ],
    );
    return [
      `One gateway process (NATS relay on, so each stream also holds a NATS subscription), ${holderCount} client processes, each session an authenticated \`GET /mcp/sse\` on its own TCP connection, opened 32 at a time per client process. RSS from /proc.`,
      '',
      summary,
      '',
      table,
    ].join('\n');
  } finally {
    for (const child of children.reverse()) await child.stop().catch(() => undefined);
  }
}

if (isMain(import.meta.url)) {
  const text = await runSessions();
  report('Idle legacy SSE sessions', text);
}
