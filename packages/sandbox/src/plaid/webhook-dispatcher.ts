import type { SandboxClock } from '../core/types.js';
import type { WebhookSigner } from './webhook-signer.js';
import type { WebhookPayload } from './wire-types.js';

/** One webhook and what happened when it was sent. */
export interface WebhookDelivery {
  readonly url: string;
  readonly itemId: string;
  readonly payload: WebhookPayload;
  /** The exact bytes sent (the body hash in the JWT is over these). */
  readonly body: string;
  status: 'pending' | 'delivered' | 'failed' | 'abandoned';
  attempts: number;
  /** HTTP status of the last attempt, or null when it did not get a response. */
  lastStatus: number | null;
  lastError: string | null;
}

export interface WebhookDispatcherOptions {
  signer: WebhookSigner;
  clock: SandboxClock;
  /** Waits between attempts; attempts = retryDelaysMs.length + 1. */
  retryDelaysMs: readonly number[];
  /** Per-attempt timeout. Plaid gives a receiver 10 seconds to answer. */
  timeoutMs: number;
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/**
 * Sends webhooks in the background. Like Plaid, a delivery that gets no 2xx answer in time is retried with growing
 * delays; each attempt is signed afresh so its `iat` is current.
 */
export class WebhookDispatcher {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly log: WebhookDelivery[] = [];
  private generation = 0;

  constructor(private readonly options: WebhookDispatcherOptions) {}

  /**
   * Queue a webhook. Plaid formats webhook bodies as JSON indented with two spaces; receivers hash those exact bytes.
   */
  send(url: string, itemId: string, payload: WebhookPayload): WebhookDelivery {
    const delivery: WebhookDelivery = {
      url,
      itemId,
      payload,
      body: JSON.stringify(payload, null, 2),
      status: 'pending',
      attempts: 0,
      lastStatus: null,
      lastError: null,
    };
    this.log.push(delivery);
    const task = this.deliver(delivery, this.generation).finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
    return delivery;
  }

  deliveries(): readonly WebhookDelivery[] {
    return this.log;
  }

  /** Resolves once every queued delivery has succeeded or run out of attempts. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stop retrying everything queued so far and forget the log. */
  reset(): void {
    this.generation += 1;
    for (const delivery of this.log) if (delivery.status === 'pending') delivery.status = 'abandoned';
    this.log.length = 0;
  }

  private async deliver(delivery: WebhookDelivery, generation: number): Promise<void> {
    const { retryDelaysMs, timeoutMs, signer, clock } = this.options;
    for (let attempt = 0; attempt <= retryDelaysMs.length; attempt += 1) {
      if (generation !== this.generation) return;
      if (attempt > 0) await sleep(retryDelaysMs[attempt - 1] ?? 0);
      if (generation !== this.generation) return;
      delivery.attempts += 1;
      try {
        const jwt = await signer.sign(delivery.body, clock.now());
        const response = await fetch(delivery.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'plaid-verification': jwt },
          body: delivery.body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        delivery.lastStatus = response.status;
        delivery.lastError = null;
        await response.body?.cancel();
        if (response.ok) {
          delivery.status = 'delivered';
          return;
        }
      } catch (error) {
        delivery.lastStatus = null;
        delivery.lastError = error instanceof Error ? error.message : String(error);
      }
    }
    if (generation === this.generation) delivery.status = 'failed';
  }
}
