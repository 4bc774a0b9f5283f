import { stopOnSignals, type Logger } from '@fintech/kit';
import { loadGatewayConfig } from './env';
import { startGateway } from './app';

const config = loadGatewayConfig();
const gateway = await startGateway(config);
gateway.app.log.info({ url: gateway.url, tools: gateway.catalog.tools.length }, 'gateway listening');

stopOnSignals(() => gateway.close(), gateway.app.log as unknown as Logger);
