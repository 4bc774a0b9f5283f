import { StripeApiError } from './errors.js';

/** A response as sent: what Stripe saves for an idempotency key and replays. */
export interface SavedResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
  requestId: string;
}

export interface IdempotencyEntry {
  endpoint: string;
  fingerprint: string;
  createdAt: number;
  response: SavedResponse | null;
}

// Stripe prunes keys once they are at least 24 hours old (https://docs.stripe.com/api/idempotent_requests).
const RETENTION_SECONDS = 24 * 60 * 60;

export type IdempotencyDecision =
  | { kind: 'execute'; save(response: SavedResponse): void; release(): void }
  | { kind: 'replay'; response: SavedResponse };

/**
 * Stripe's v1 idempotency: the first response for a key is saved once the endpoint starts executing and replayed to
 * every retry with the same parameters; the same key with other parameters or on another endpoint is a 400
 * idempotency_error; a retry while the first request still runs is a 409. Keys are scoped per API key.
 */
export function createIdempotencyStore(now: () => number) {
  const entries = new Map<string, IdempotencyEntry>();

  return {
    begin(apiKey: string, key: string, endpoint: string, fingerprint: string): IdempotencyDecision {
      const scoped = `${apiKey}\u0000${key}`;
      const existing = entries.get(scoped);
      if (existing && existing.createdAt + RETENTION_SECONDS <= now()) entries.delete(scoped);
      const entry = entries.get(scoped);
      if (entry) {
        if (entry.endpoint !== endpoint) {
          throw new StripeApiError(
            400,
            {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${entry.endpoint}' vs '${endpoint}'). Try using a key other than '${key}' if you meant to execute a different request.`,
            },
            false,
          );
        }
        if (entry.fingerprint !== fingerprint) {
          throw new StripeApiError(
            400,
            {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
            },
            false,
          );
        }
        if (!entry.response) {
          throw new StripeApiError(
            409,
            {
              type: 'idempotency_error',
              message: `There is currently another in-progress request using this idempotent key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
            },
            false,
          );
        }
        return { kind: 'replay', response: entry.response };
      }
      const fresh: IdempotencyEntry = { endpoint, fingerprint, createdAt: now(), response: null };
      entries.set(scoped, fresh);
      return {
        kind: 'execute',
        save(response) {
          fresh.response = response;
        },
        release() {
          if (entries.get(scoped) === fresh) entries.delete(scoped);
        },
      };
    },
    clear() {
      entries.clear();
    },
    /** The keys with a saved response (a request still executing cannot outlive the process that runs it). */
    snapshot(): Array<[string, IdempotencyEntry]> {
      return [...entries].filter(([, entry]) => entry.response !== null);
    },
    restore(saved: ReadonlyArray<readonly [string, IdempotencyEntry]>) {
      entries.clear();
      for (const [key, entry] of saved) entries.set(key, { ...entry });
    },
  };
}

/** Parameters in a canonical form, so the same request encoded in another key order still matches. */
export function canonicalParams(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalParams).join(',')}]`;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalParams(entry)}`).join(',')}}`;
}
