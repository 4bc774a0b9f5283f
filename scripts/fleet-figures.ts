/**
 * `pnpm fleet:figures [runs]`: the README's `pnpm start` figures, measured. Starts the fleet `runs` times (default 3)
 * on a fresh data dir and once more on the same dir (a restart), each time reading the line the fleet prints at
 * ready: seconds since start and the memory of its whole process tree (sum of RSS, sum of PSS, from /proc). Prints
 * each run, the median, and the machine's load average, since a busy machine starts slower.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localPortEnvs } from '@fintech/contracts/fleet-manifest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Figures {
  seconds: number;
  processes: number;
  rssMb: number;
  pssMb: number;
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolvePromise(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts the fleet, waits for its ready line, stops it; resolves with the figures of that line. */
async function measure(dataDir: string, ports: Record<string, string>): Promise<Figures> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...ports, FLEET_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  for (const key of ['DATABASE_URL', 'NATS_URL', 'STRIPE_API_BASE']) delete env[key];
  const child = spawn(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', 'scripts/fleet.ts', 'start'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const line = await new Promise<string>((resolvePromise, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = output.split('\n').find((l) => l.startsWith('[fleet] ready in'));
      if (ready) resolvePromise(ready);
    });
    child.once('exit', () => reject(new Error(`the fleet exited before it was ready:\n${output.slice(-4000)}`)));
  });
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  const match = /ready in ([\d.]+) s; (\d+) processes, (\d+) MB RSS \((\d+) MB PSS\)/.exec(line);
  if (!match) throw new Error(`unexpected ready line: ${line}`);
  return { seconds: Number(match[1]), processes: Number(match[2]), rssMb: Number(match[3]), pssMb: Number(match[4]) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const describe = (f: Figures) =>
  `${f.seconds.toFixed(1)} s, ${f.rssMb} MB RSS, ${f.pssMb} MB PSS (${f.processes} processes)`;

const runs = Number(process.argv[2] ?? 3);
const ports: Record<string, string> = {};
for (const name of localPortEnvs()) ports[name] = String(await freePort());
const fresh: Figures[] = [];
let restart: Figures | undefined;
for (let run = 1; run <= runs; run += 1) {
  const dataDir = await mkdtemp(join(tmpdir(), 'fleet-figures-'));
  try {
    const figures = await measure(dataDir, ports);
    fresh.push(figures);
    console.log(`fresh data dir, run ${run}: ${describe(figures)}; load average ${loadavg()[0]!.toFixed(1)}`);
    if (run === runs) {
      restart = await measure(dataDir, ports);
      console.log(`restart on the same data dir: ${describe(restart)}; load average ${loadavg()[0]!.toFixed(1)}`);
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
console.log(
  `median of ${runs} fresh starts: ready in ${median(fresh.map((f) => f.seconds)).toFixed(1)} s, ` +
    `${median(fresh.map((f) => f.rssMb))} MB RSS, ${median(fresh.map((f) => f.pssMb))} MB PSS`,
);
