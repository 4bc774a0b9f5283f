import { createLogger } from '@fintech/kit';
import { loadPaymentsConfig } from './env';
import { startPaymentsService } from './service';

const config = loadPaymentsConfig();
const logger = createLogger({ name: 'payments', level: config.LOG_LEVEL });
const service = await startPaymentsService(config, { logger });
logger.info({ port: service.port, webhookUrl: service.webhookUrl }, 'payments service started');

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
