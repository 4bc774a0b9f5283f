import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Emulator, EmulatorOptions } from '../core/types.js';
import { plaidAdminRoutes } from './admin.js';
import { buildPlaidApp } from './app.js';
import type { ActivitySummary } from './data-generator.js';
import { PlaidBackend, type PlaidCredentials } from './plaid-backend.js';
import type { PlaidWebhook } from './webhook-dispatcher.js';
import { WebhookSigner } from './webhook-signer.js';
import type { WireJwk, WireTransaction } from './wire-types.js';

/** The credentials accepted when none are configured. */
export const DEFAULT_PLAID_CREDENTIALS: PlaidCredentials = {
  clientId: 'sandbox-plaid-client-id',
  secret: 'sandbox-plaid-secret',
};

export interface PlaidEmulatorOptions extends EmulatorOptions {
  /** The `kid` of the webhook signing key; a random UUID per emulator when absent. */
  webhookVerificationKeyId?: string;
  /** Accepted client_id / secret pairs; defaults to DEFAULT_PLAID_CREDENTIALS. */
  credentials?: readonly PlaidCredentials[];
}

/** The Plaid emulator. Test helpers take an Item by item_id or access token. */
export interface PlaidEmulator extends Emulator {
  readonly name: 'plaid';
  readonly credentials: readonly PlaidCredentials[];
  /** The `kid` webhooks are signed with; /webhook_verification_key/get serves its public key. */
  readonly webhookKeyId: string;
  readonly webhookVerificationKey: WireJwk;
  readonly admin: FastifyPluginAsync;
  /** New bank activity, as /transactions/refresh makes: settled pendings, a cancellation, merchant recognition, purchases. */
  simulateActivity(item: string): ActivitySummary;
  /** Add `count` posted purchases and send SYNC_UPDATES_AVAILABLE. */
  addTransactions(item: string, count: number): WireTransaction[];
  /** Send a webhook as /sandbox/item/fire_webhook does (the Item needs a webhook URL). */
  fireWebhook(item: string, code: string): PlaidWebhook;
  /** Resolves once every queued webhook has been delivered or has run out of retries. */
  flushWebhooks(): Promise<void>;
  /** Every webhook sent since the last reset, oldest first, with its delivery state. */
  webhooks(): readonly PlaidWebhook[];
  /** Put the Item into ITEM_LOGIN_REQUIRED (data endpoints refuse it) and send the ITEM ERROR webhook. */
  requireLogin(item: string): void;
  /** Clear the Item's error, as re-authenticating through Link's update mode does, and send LOGIN_REPAIRED. */
  repairLogin(item: string): void;
  /** Stop webhook retries. */
  close(): Promise<void>;
}

/**
 * Create the Plaid emulator: institutions, accounts, balances, transactions and ids derive from `options.seed`; all
 * time comes from `options.clock`; webhooks are signed as Plaid signs them, with a key pair made for this instance.
 */
export function createPlaidEmulator(options: PlaidEmulatorOptions): PlaidEmulator {
  const signer = new WebhookSigner(options.webhookVerificationKeyId ?? randomUUID(), options.clock.now());
  const credentials = options.credentials ?? [DEFAULT_PLAID_CREDENTIALS];
  const backend = new PlaidBackend({
    seed: options.seed,
    clock: options.clock,
    credentials,
    signer,
    webhookDelivery: options.webhooks,
  });

  return {
    name: 'plaid',
    app: buildPlaidApp(backend),
    admin: plaidAdminRoutes(backend),
    credentials,
    webhookKeyId: signer.keyId,
    webhookVerificationKey: signer.publicJwk,
    reset: () => backend.reset(),
    simulateActivity: (item) => backend.refreshTransactions(backend.resolveItem(item)),
    addTransactions: (item, count) => backend.addPurchases(backend.resolveItem(item), count),
    fireWebhook: (item, code) => backend.fireWebhook(backend.resolveItem(item), code),
    flushWebhooks: () => backend.webhooks.flush(),
    webhooks: () => backend.webhooks.sent(),
    requireLogin: (item) => backend.requireLogin(backend.resolveItem(item)),
    repairLogin: (item) => backend.repairLogin(backend.resolveItem(item)),
    close: async () => backend.webhooks.reset(),
  };
}
