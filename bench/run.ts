import { runEvents } from './events';
import { runGatewayOverhead } from './gateway-overhead';
import { report } from './lib/results';
import { runSessions } from './sessions';

/**
 * `pnpm bench`: the three scenarios one after another (each also runs alone: `tsx bench/<scenario>.ts`), each
 * printed and appended to bench/RESULTS.md as it finishes.
 */
const started = performance.now();
report('Gateway overhead', await runGatewayOverhead());
report('Idle legacy SSE sessions', await runSessions());
report('Payment events', await runEvents());
console.log(`pnpm bench finished in ${((performance.now() - started) / 60_000).toFixed(1)} min`);
