import type { SeededRandom } from '../core/random.js';
import type { SandboxClock } from '../core/types.js';
import type { Store } from './store.js';
import type { StripeEvent } from './types.js';

/** The request being executed, recorded on the events it causes (`event.request`). */
export interface RequestInfo {
  id: string | null;
  idempotencyKey: string | null;
  apiVersion: string;
}

/** Everything a resource handler needs: state, time, ids and the event bus. */
export interface StripeContext {
  readonly store: Store;
  readonly clock: SandboxClock;
  /** For values that are random but must be reproducible (client secrets, fingerprints). */
  readonly random: SeededRandom;
  readonly seed: string;
  id(prefix: string, length?: number): string;
  /** Unix seconds of the sandbox clock, which `created` and every other timestamp use. */
  now(): number;
  /** Record an event and deliver it to the matching webhook endpoints. The object is copied as it is now. */
  emit(type: string, object: unknown, previousAttributes?: Record<string, unknown>): StripeEvent;
  request: RequestInfo;
}

/** The API version the emulator reports when a request does not send one (the version stripe-node 23.1 pins). */
export const DEFAULT_API_VERSION = '2026-10-28.endive';
