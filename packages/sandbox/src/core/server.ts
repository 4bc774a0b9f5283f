import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { createAlpacaEmulator, type AlpacaEmulator, type AlpacaEmulatorOptions } from '../alpaca/index.js';
import { createPlaidEmulator, type PlaidEmulator, type PlaidEmulatorOptions } from '../plaid/index.js';
import { createStripeEmulator, type StripeEmulator, type StripeEmulatorOptions } from '../stripe/index.js';
import { buildAdminApp } from './admin.js';
import { createStateFile } from './state-file.js';
import { createClock } from './clock.js';
import { createFaultInjector, type FaultInjector } from './faults.js';
import type { EmulatorOptions, SandboxClock } from './types.js';
import type { WebhookDeliveryOptions } from './webhooks.js';

export interface SandboxPorts {
  stripe: number;
  plaid: number;
  alpaca: number;
  admin: number;
}

/** The ports `pnpm sandbox` listens on unless told otherwise. */
export const DEFAULT_PORTS: SandboxPorts = { stripe: 12111, plaid: 12112, alpaca: 12113, admin: 12110 };

type ExtraOptions<T extends EmulatorOptions> = Omit<T, keyof EmulatorOptions>;

export interface SandboxOptions {
  /** Seed of every emulator's data and ids. Default "sandbox". */
  seed?: string;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port per server; 0 picks a free port. Defaults to DEFAULT_PORTS. */
  ports?: Partial<SandboxPorts>;
  /** Start with the clock fixed at this instant (it follows real time otherwise). */
  now?: Date;
  /** Retry policy of every emulator's webhooks. */
  webhooks?: WebhookDeliveryOptions;
  stripe?: ExtraOptions<StripeEmulatorOptions>;
  plaid?: ExtraOptions<PlaidEmulatorOptions>;
  alpaca?: ExtraOptions<AlpacaEmulatorOptions>;
  /**
   * Keep the emulators' state in this file: loaded at start when it exists, written shortly after every request that
   * may change it and on close. A fleet keeps it beside its database, so provider objects the database refers to
   * (customers, payment methods, PaymentIntents) outlive a restart with it (decision 021). Emulators without
   * snapshots (Plaid, Alpaca today) start from their seed as before.
   */
  stateFile?: string;
}

export interface Sandbox {
  readonly seed: string;
  /** Base URL of each server, e.g. `http://127.0.0.1:12111`. */
  readonly urls: { stripe: string; plaid: string; alpaca: string; admin: string };
  readonly ports: SandboxPorts;
  readonly clock: SandboxClock;
  readonly faults: FaultInjector;
  readonly stripe: StripeEmulator;
  readonly plaid: PlaidEmulator;
  readonly alpaca: AlpacaEmulator;
  /** Reset every emulator to its seeded state, clear the faults and let the clock follow real time again. */
  reset(): void;
  /** Resolves once every emulator's queued webhooks were delivered or gave up. */
  flushWebhooks(): Promise<void>;
  /** Stop listening and stop webhook retries. */
  close(): Promise<void>;
}

async function listen(app: FastifyInstance, host: string, port: number): Promise<number> {
  await app.listen({ host, port });
  return (app.server.address() as AddressInfo).port;
}

function urlFor(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Start the Stripe, Plaid and Alpaca emulators and the admin server, each on its own port, sharing one clock, one
 * seed and one fault injector.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const seed = options.seed ?? 'sandbox';
  const host = options.host ?? '127.0.0.1';
  const requested: SandboxPorts = { ...DEFAULT_PORTS, ...options.ports };
  const clock = createClock(options.now);
  const faults = createFaultInjector();
  const base: EmulatorOptions = { seed, clock, webhooks: options.webhooks };
  const stripe = createStripeEmulator({ ...base, ...options.stripe });
  const plaid = createPlaidEmulator({ ...base, ...options.plaid });
  const alpaca = createAlpacaEmulator({ ...base, ...options.alpaca });
  const emulators = [stripe, plaid, alpaca] as const;
  for (const emulator of emulators) faults.install(emulator.app, emulator.name);
  const state = options.stateFile ? createStateFile(options.stateFile, seed, emulators) : undefined;
  state?.load();
  if (state) {
    for (const app of emulators.map((emulator) => emulator.app)) {
      app.addHook('onResponse', async (request) => {
        if (request.method !== 'GET') state.changed();
      });
    }
  }

  const ports: SandboxPorts = { stripe: 0, plaid: 0, alpaca: 0, admin: 0 };
  const urls = { stripe: '', plaid: '', alpaca: '', admin: '' };
  const reset = () => {
    faults.clear();
    clock.release();
    if (options.now) clock.set(options.now);
    for (const emulator of emulators) emulator.reset();
  };
  const flushWebhooks = async () => {
    await Promise.all(emulators.map((emulator) => emulator.flushWebhooks?.()));
  };
  const admin = buildAdminApp({ seed, clock, faults, emulators, urls: () => ({ ...urls }), reset, flushWebhooks });
  if (state) {
    admin.addHook('onResponse', async (request) => {
      if (request.method !== 'GET') state.changed();
    });
  }

  const started: FastifyInstance[] = [];
  const close = async () => {
    await Promise.all(emulators.map((emulator) => emulator.close?.()));
    await Promise.all([...started, admin].map((app) => app.close()));
    await state?.flush();
  };
  try {
    for (const name of ['stripe', 'plaid', 'alpaca'] as const) {
      const app = { stripe, plaid, alpaca }[name].app;
      ports[name] = await listen(app, host, requested[name]);
      started.push(app);
      urls[name] = urlFor(host, ports[name]);
    }
    ports.admin = await listen(admin, host, requested.admin);
    urls.admin = urlFor(host, ports.admin);
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }

  return { seed, urls, ports, clock, faults, stripe, plaid, alpaca, reset, flushWebhooks, close };
}
