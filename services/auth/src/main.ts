import { createLogger, stopOnSignals } from '@fintech/kit';
import { loadAuthConfig } from './env';
import { startAuthService } from './service';

const config = loadAuthConfig();
const logger = createLogger({ name: 'auth', level: config.LOG_LEVEL });
const service = await startAuthService(config, { logger });
logger.info({ port: service.port }, 'auth service started');

stopOnSignals(() => service.stop(), logger);
