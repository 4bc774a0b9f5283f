import { createLogger, stopOnSignals } from '@fintech/kit';
import { startPaymentsService } from './service';
import { loadPaymentsConfig } from './env';

const config = loadPaymentsConfig();
const logger = createLogger({ name: 'payments', level: config.LOG_LEVEL });
const service = await startPaymentsService(config, { logger });
logger.info({ port: service.port, webhookUrl: service.webhookUrl }, 'payments service started');

stopOnSignals(() => service.stop(), logger);
