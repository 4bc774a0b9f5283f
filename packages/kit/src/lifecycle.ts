import type { Logger } from 'pino';

/**
 * Stops a process gracefully on SIGINT/SIGTERM: runs `stop` once (the composition root's teardown, in reverse
 * dependency order) and exits 0, or 1 when teardown fails. A second signal while stopping is ignored.
 */
export function stopOnSignals(stop: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}
