import { GatewayEnv, startGateway } from '@fintech/gateway';
import { serveParent } from '../lib/child';
import { createProfiler } from '../lib/profiler';

/** The gateway as its own process, configured from the environment the bench passes (AUTH_GRPC_ADDRESS, …). */
const gateway = await startGateway(GatewayEnv.parse(process.env));
const profiler = createProfiler();

serveParent(
  { url: gateway.url, origin: new URL(gateway.url).origin },
  {
    memory: () => process.memoryUsage(),
    profileStart: (args: { intervalUs?: number }) => profiler.start(args),
    profileStop: (args: { file: string }) => profiler.stop(args),
  },
  () => gateway.close(),
);
