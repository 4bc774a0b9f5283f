import { createLogger, stopOnSignals } from '@fintech/kit';
import { service } from './service';

const config = service.loadConfig();
const logger = createLogger({ name: service.name, level: config.LOG_LEVEL });
const running = await service.start(config, { logger });
logger.info({ port: running.port }, 'auth service started');

stopOnSignals(() => running.stop(), logger);
