/** How webhook deliveries are retried. */
export interface WebhookDeliveryOptions {
  /** Wait before each retry; its length is the number of retries. Default [100, 500, 2000]. */
  retryDelaysMs?: readonly number[];
  /** Per-attempt timeout. Default 5000. */
  timeoutMs?: number;
}

export interface WebhookRequest {
  url: string;
  body: string;
  /**
   * Headers of one attempt. Called again for every retry, so a signature that includes a timestamp is fresh on each
   * attempt, as providers do.
   */
  headers: () => Record<string, string>;
  /** What the delivery is about (an event id), for the delivery log. */
  label?: string;
}

export interface WebhookDeliveryRecord {
  url: string;
  label?: string;
  attempts: number;
  /** Status of the last attempt; null when it never got a response. */
  lastStatus: number | null;
  lastError?: string;
  state: 'pending' | 'delivered' | 'failed';
}

export interface WebhookSender {
  /** Queue a POST; it is sent asynchronously and retried on a non-2xx answer or a network error. */
  send(request: WebhookRequest): WebhookDeliveryRecord;
  /** Resolves once every delivery queued so far has succeeded or used up its retries. */
  flush(): Promise<void>;
  deliveries(): readonly WebhookDeliveryRecord[];
  /** Stop retrying and forget the log; attempts already on the wire finish on their own. */
  reset(): void;
}

export function createWebhookSender(options: WebhookDeliveryOptions = {}): WebhookSender {
  const retryDelaysMs = options.retryDelaysMs ?? [100, 500, 2000];
  const timeoutMs = options.timeoutMs ?? 5000;
  let log: WebhookDeliveryRecord[] = [];
  const pending = new Set<Promise<void>>();
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let generation = 0;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      timers.add(entry);
    });

  const attempt = async (request: WebhookRequest, record: WebhookDeliveryRecord): Promise<boolean> => {
    record.attempts += 1;
    try {
      const response = await fetch(request.url, {
        method: 'POST',
        headers: request.headers(),
        body: request.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      record.lastStatus = response.status;
      await response.arrayBuffer().catch(() => undefined);
      return response.ok;
    } catch (error) {
      record.lastStatus = null;
      record.lastError = error instanceof Error ? error.message : String(error);
      return false;
    }
  };

  const run = async (request: WebhookRequest, record: WebhookDeliveryRecord, started: number) => {
    for (let retry = 0; ; retry += 1) {
      if (started !== generation) return;
      if (await attempt(request, record)) {
        record.state = 'delivered';
        return;
      }
      const delay = retryDelaysMs[retry];
      if (delay === undefined || started !== generation) break;
      await wait(delay);
    }
    record.state = 'failed';
  };

  return {
    send(request) {
      const record: WebhookDeliveryRecord = {
        url: request.url,
        label: request.label,
        attempts: 0,
        lastStatus: null,
        state: 'pending',
      };
      log.push(record);
      const promise = run(request, record, generation).finally(() => pending.delete(promise));
      pending.add(promise);
      return record;
    },
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    deliveries: () => log,
    reset() {
      generation += 1;
      for (const entry of timers) {
        clearTimeout(entry.timer);
        entry.resolve();
      }
      timers.clear();
      log = [];
    },
  };
}
