import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectMcp,
  demoFlow,
  errorLines,
  fleetPorts,
  signInDemo,
  startFleetProcess,
  type FleetProcess,
} from './fleet-process';

/**
 * `pnpm start` as something people stop and start again and leave running: the data dir keeps the database, the
 * provider sandbox's state and the secrets together, and a process that dies is brought back as an orchestrator
 * would.
 */
let dataDir: string;
let ports: Record<string, string>;
let fleet: FleetProcess | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fleet-restart-'));
  ports = { ...(await fleetPorts()), FLEET_MAX_CRASHES: '3' };
});

afterAll(async () => {
  await fleet?.stop();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

async function history(url: string): Promise<string[]> {
  const client = await connectMcp(url, await signInDemo(url));
  try {
    const read = await client.readResource({ uri: 'payments://me/history' });
    const body = JSON.parse((read.contents[0] as { text: string }).text) as { payments: { payment_id: string }[] };
    return body.payments.map((payment) => payment.payment_id);
  } finally {
    await client.close();
  }
}

describe('pnpm start on the same data dir', () => {
  it('stopped and started again: the demo user signs in, adds a card, pays and refunds, and keeps its history', async () => {
    const first = await startFleetProcess(dataDir, ports);
    const before = await demoFlow(first.url, 'first run');
    expect(await first.stop()).toBe(0);
    expect(first.output()).toContain('[fleet] stopped');

    fleet = await startFleetProcess(dataDir, ports);
    // The second start finds the cluster, the demo user and the sandbox's customers where the first left them.
    expect(fleet.output()).not.toContain('creating the embedded PostgreSQL cluster');
    const after = await demoFlow(fleet.url, 'second run');
    expect(after.paymentId).not.toBe(before.paymentId);
    expect(await history(fleet.url)).toEqual(expect.arrayContaining([before.paymentId, after.paymentId]));
    expect(errorLines(fleet.output())).toEqual([]);
  }, 240_000);

  it('a service killed with SIGKILL is restarted with backoff and the fleet keeps answering', async () => {
    const running = fleet!;
    const victim = running.pidOf('payments');
    const mark = running.output().length;
    process.kill(victim, 'SIGKILL');
    await running.waitForOutput(/^\[fleet\] payments exited \(SIGKILL\); restarting it in 0\.5 s/, 10_000, mark);
    await running.waitForOutput(/^\[fleet\] payments restarted and ready/, 90_000, mark);
    expect(running.pidOf('payments')).not.toBe(victim);
    await demoFlow(running.url, 'after a crash');

    // The gateway too: a new MCP client is served by the restarted one.
    const gateway = running.pidOf('gateway');
    const gatewayMark = running.output().length;
    process.kill(gateway, 'SIGKILL');
    await running.waitForOutput(/^\[fleet\] gateway restarted and ready/, 90_000, gatewayMark);
    await demoFlow(running.url, 'after a gateway crash');
    expect(running.child.exitCode).toBeNull();
  }, 240_000);

  it('stops the whole fleet when one process keeps crashing (FLEET_MAX_CRASHES within a minute)', async () => {
    const running = fleet!;
    const exited = new Promise<number | null>((resolve) => running.child.once('exit', (code) => resolve(code)));
    const stopping =
      /^\[fleet\] payments exited \(SIGKILL\) and has crashed 3 times within a minute; stopping the fleet/;
    const gaveUp = () =>
      running
        .output()
        .split('\n')
        .some((line) => stopping.test(line));
    const payments = () => {
      try {
        return running.pidOf('payments');
      } catch {
        return undefined; // between a crash and its restart
      }
    };
    // Each new payments process is killed as soon as it exists, ready or not: three crashes within the minute (two
    // more if the crash of the test above is still within it) stop the fleet.
    let victim = payments()!;
    for (let kill = 0; kill < 3 && !gaveUp(); kill += 1) {
      process.kill(victim, 'SIGKILL');
      const deadline = Date.now() + 30_000;
      while (!gaveUp() && (payments() ?? victim) === victim) {
        if (Date.now() > deadline) throw new Error(`no restart and no stop:\n${running.output().slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      victim = payments() ?? victim;
    }
    expect(gaveUp()).toBe(true);
    expect(await exited).toBe(1);
    expect(running.output()).toContain('[fleet] stopped');
    fleet = undefined;
  }, 240_000);
});
