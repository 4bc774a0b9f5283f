import type { SandboxClock } from '../core/types.js';
import {
  createWebhookSender,
  type WebhookDeliveryOptions,
  type WebhookDeliveryRecord,
  type WebhookSender,
} from '../core/webhooks.js';
import type { WebhookSigner } from './webhook-signer.js';
import type { WebhookPayload } from './wire-types.js';

/** One Plaid webhook: what was sent, and its delivery (attempts, last status, state). */
export interface PlaidWebhook {
  readonly itemId: string;
  readonly payload: WebhookPayload;
  /** The exact bytes sent; the JWT's `request_body_sha256` is over these. */
  readonly body: string;
  readonly delivery: WebhookDeliveryRecord;
}

/**
 * Sends Plaid webhooks through the sandbox's webhook sender (asynchronous, retried on a non-2xx answer). Each attempt
 * is signed afresh, so its `iat` is current when a retry goes out.
 */
export class WebhookDispatcher {
  private readonly sender: WebhookSender;
  private log: PlaidWebhook[] = [];

  constructor(
    private readonly signer: WebhookSigner,
    private readonly clock: SandboxClock,
    delivery: WebhookDeliveryOptions = {},
  ) {
    this.sender = createWebhookSender({ retryDelaysMs: [50, 200, 800], timeoutMs: 10_000, ...delivery });
  }

  /** Per Plaid's verification docs, webhook bodies are JSON indented with two spaces; receivers hash those bytes. */
  send(url: string, itemId: string, payload: WebhookPayload): PlaidWebhook {
    const body = JSON.stringify(payload, null, 2);
    const delivery = this.sender.send({
      url,
      body,
      label: `${payload.webhook_type}.${payload.webhook_code} ${itemId}`,
      headers: () => ({
        'content-type': 'application/json',
        'plaid-verification': this.signer.sign(body, this.clock.now()),
      }),
    });
    const webhook: PlaidWebhook = { itemId, payload, body, delivery };
    this.log.push(webhook);
    return webhook;
  }

  sent(): readonly PlaidWebhook[] {
    return this.log;
  }

  flush(): Promise<void> {
    return this.sender.flush();
  }

  /** Stop retrying and forget what was sent. */
  reset(): void {
    this.sender.reset();
    this.log = [];
  }
}
