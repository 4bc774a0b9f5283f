import { loadGatewayConfig } from './env';
import { startGateway } from './app';

const config = loadGatewayConfig();
const gateway = await startGateway(config);
gateway.app.log.info({ url: gateway.url, tools: gateway.catalog.tools.length }, 'gateway listening');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
