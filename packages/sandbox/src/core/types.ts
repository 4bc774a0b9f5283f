import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { WebhookDeliveryOptions } from './webhooks.js';

/** What every emulator receives from the sandbox that hosts it. */
export interface EmulatorOptions {
  /** Seed of the deterministic data: the same seed gives the same ids, accounts and prices on every run. */
  seed: string;
  /** The sandbox clock. Tests can set it; emulators never read Date.now() directly. */
  clock: SandboxClock;
  /** Retry policy of the webhooks this emulator sends. */
  webhooks?: WebhookDeliveryOptions;
}

export interface SandboxClock {
  now(): Date;
  /** Fix the clock at an instant (it then stays there until advanced or released). */
  set(at: Date): void;
  advance(ms: number): void;
  /** Follow real time again. */
  release(): void;
}

/** One provider emulator: a fastify app (not listening) whose routes speak the provider's wire format. */
export interface Emulator {
  readonly name: 'stripe' | 'plaid' | 'alpaca';
  readonly app: FastifyInstance;
  /** Forget all state and reseed. */
  reset(): void;
  /** Called by the sandbox after a test moves the clock, so time-driven work (billing cycles) happens at once. */
  tick?(): void;
  /** Resolves once every webhook queued so far was delivered or gave up. */
  flushWebhooks?(): Promise<void>;
  /** Test-only routes, mounted on the sandbox admin server under `/<name>`. */
  admin?: FastifyPluginAsync;
  /** Stop background work (webhook retries); the sandbox closes `app` itself. */
  close?(): Promise<void>;
  /** The emulator's state as JSON data, for a sandbox that keeps its state in a file across restarts. */
  snapshot?(): unknown;
  /** Continue from a snapshot taken by the same emulator with the same seed. */
  restore?(snapshot: unknown): void;
}
