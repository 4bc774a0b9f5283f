import { createLogger } from '@fintech/kit';
import { loadAuthConfig } from './env';
import { startAuthService } from './service';

const config = loadAuthConfig();
const logger = createLogger({ name: 'auth', level: config.LOG_LEVEL });
const service = await startAuthService(config, { logger });
logger.info({ port: service.port }, 'auth service started');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
