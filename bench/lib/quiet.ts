import { machineBusyMs } from './proc-stat';

/**
 * Waits (bounded) until the machine is nearly idle while the bench itself is idle: on a shared machine a
 * measurement taken while someone else's test suite runs says more about that suite than about the system. Returns
 * the cores' worth of CPU still busy when it gave up or succeeded.
 */
export async function waitForQuietMachine(options: { maxWaitMs?: number; threshold?: number } = {}): Promise<number> {
  const maxWaitMs = options.maxWaitMs ?? 15_000;
  const threshold = options.threshold ?? 0.15;
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const before = machineBusyMs();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const busyCores = (machineBusyMs() - before) / 500;
    if (busyCores <= threshold || Date.now() >= deadline) return busyCores;
  }
}
