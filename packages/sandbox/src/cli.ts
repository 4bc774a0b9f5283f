#!/usr/bin/env -S npx tsx
import { DEFAULT_PORTS, startSandbox, type SandboxPorts } from './core/server.js';

/**
 * `pnpm sandbox`: the three provider emulators and the admin API, configured from the environment:
 *   SANDBOX_SEED          seed of all generated data and ids (default "sandbox")
 *   SANDBOX_HOST          interface to listen on (default 127.0.0.1)
 *   SANDBOX_STRIPE_PORT, SANDBOX_PLAID_PORT, SANDBOX_ALPACA_PORT, SANDBOX_ADMIN_PORT   (0 = any free port)
 *   SANDBOX_NOW           ISO instant to fix the clock at (default: follow real time)
 *   SANDBOX_STATE_FILE    keep the emulators' state in this JSON file across restarts (default: in memory only)
 *   SANDBOX_STRIPE_WEBHOOK_URL, SANDBOX_STRIPE_WEBHOOK_SECRET
 *                         deliver every Stripe event to this URL, signed with this whsec_… secret
 */
function port(name: keyof SandboxPorts): number {
  const variable = `SANDBOX_${name.toUpperCase()}_PORT`;
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return DEFAULT_PORTS[name];
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${variable} must be a port number (0-65535), got "${raw}"`);
  }
  return value;
}

function fixedNow(): Date | undefined {
  const raw = process.env.SANDBOX_NOW;
  if (!raw) return undefined;
  const at = new Date(raw);
  if (Number.isNaN(at.getTime())) throw new Error(`SANDBOX_NOW must be an ISO date, got "${raw}"`);
  return at;
}

async function main(): Promise<void> {
  const sandbox = await startSandbox({
    seed: process.env.SANDBOX_SEED || 'sandbox',
    host: process.env.SANDBOX_HOST || '127.0.0.1',
    ports: { stripe: port('stripe'), plaid: port('plaid'), alpaca: port('alpaca'), admin: port('admin') },
    now: fixedNow(),
    stateFile: process.env.SANDBOX_STATE_FILE || undefined,
    stripe: process.env.SANDBOX_STRIPE_WEBHOOK_URL
      ? {
          webhookEndpoints: [
            {
              url: process.env.SANDBOX_STRIPE_WEBHOOK_URL,
              secret: process.env.SANDBOX_STRIPE_WEBHOOK_SECRET || undefined,
            },
          ],
        }
      : undefined,
  });
  console.log(`sandbox seed "${sandbox.seed}"`);
  if (process.env.SANDBOX_STATE_FILE) console.log(`  state   ${process.env.SANDBOX_STATE_FILE}`);
  for (const [name, url] of Object.entries(sandbox.urls)) console.log(`  ${name.padEnd(7)} ${url}`);

  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: closing the sandbox`);
    const timer = setTimeout(() => {
      console.error('sandbox did not close within 5 s; exiting');
      process.exit(1);
    }, 5000);
    timer.unref();
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('error while closing the sandbox', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
