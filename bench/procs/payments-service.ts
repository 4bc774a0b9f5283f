import { PaymentsEnv, startPaymentsService } from '@fintech/payments';
import { dropSchema } from '@fintech/kit';
import { serveParent } from '../lib/child';
import { createProfiler } from '../lib/profiler';

/** The payments service as its own process, configured from the environment the bench passes. */
const config = PaymentsEnv.parse(process.env);
const payments = await startPaymentsService(config);
const profiler = createProfiler();

serveParent(
  { port: payments.port, webhookUrl: payments.webhookUrl },
  {
    profileStart: (args: { intervalUs?: number }) => profiler.start(args),
    profileStop: (args: { file: string }) => profiler.stop(args),
  },
  async () => {
    await payments.stop();
    if (process.env.BENCH_DROP_SCHEMA === '1') await dropSchema(config.DATABASE_URL, config.DATABASE_SCHEMA);
  },
);
