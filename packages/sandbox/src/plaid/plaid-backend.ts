import type { SandboxClock } from '../core/types.js';
import type { WebhookDeliveryOptions } from '../core/webhooks.js';
import {
  generateAccounts,
  generateActivity,
  generateHistory,
  generatePurchases,
  isoDate,
  plaidId,
  type ActivitySummary,
} from './data-generator.js';
import { plaidErrors } from './errors.js';
import { createInstitutions, type InstitutionRecord } from './institutions.js';
import { PlaidItem, plaidTimestamp } from './item.js';
import { SeededRandom } from './random.js';
import { WebhookDispatcher, type PlaidWebhook } from './webhook-dispatcher.js';
import type { WebhookSigner } from './webhook-signer.js';
import type { Product, WebhookPayload, WebhookType, WireTransaction } from './wire-types.js';

/** A client_id / secret pair the emulator accepts. */
export interface PlaidCredentials {
  clientId: string;
  secret: string;
}

/** Plaid documents that a public token expires 30 minutes after it is created. */
export const PUBLIC_TOKEN_TTL_MS = 30 * 60 * 1000;

interface PublicTokenRecord {
  itemId: string;
  accessToken: string;
  expiresAt: number;
  exchanged: boolean;
}

export interface CreateItemInput {
  clientId: string;
  institutionId: string;
  products: Product[];
  webhook: string | null;
  historyDays: number;
}

/** Webhook codes /sandbox/item/fire_webhook can send, and the webhook_type each belongs to. */
export const FIREABLE_WEBHOOKS: Readonly<Record<string, WebhookType>> = {
  SYNC_UPDATES_AVAILABLE: 'TRANSACTIONS',
  DEFAULT_UPDATE: 'TRANSACTIONS',
  NEW_ACCOUNTS_AVAILABLE: 'ITEM',
  USER_PERMISSION_REVOKED: 'ITEM',
  USER_ACCOUNT_REVOKED: 'ITEM',
  PENDING_DISCONNECT: 'ITEM',
  LOGIN_REPAIRED: 'ITEM',
  ERROR: 'ITEM',
};

export interface PlaidBackendOptions {
  seed: string;
  clock: SandboxClock;
  credentials: readonly PlaidCredentials[];
  signer: WebhookSigner;
  webhookDelivery?: WebhookDeliveryOptions;
}

/** The emulator's state and the operations on it, shared by the HTTP routes and the test helpers. */
export class PlaidBackend {
  readonly clock: SandboxClock;
  readonly signer: WebhookSigner;
  readonly webhooks: WebhookDispatcher;
  institutions: InstitutionRecord[] = [];
  private readonly items = new Map<string, PlaidItem>();
  private readonly publicTokens = new Map<string, PublicTokenRecord>();
  private readonly accessTokens = new Map<string, string>();
  private itemsCreated = 0;
  private random!: SeededRandom;
  private requestIds!: SeededRandom;

  constructor(private readonly options: PlaidBackendOptions) {
    this.clock = options.clock;
    this.signer = options.signer;
    this.webhooks = new WebhookDispatcher(options.signer, options.clock, options.webhookDelivery);
    this.reset();
  }

  reset(): void {
    this.random = new SeededRandom(`plaid:${this.options.seed}`);
    this.requestIds = this.random.fork('request-ids');
    this.institutions = createInstitutions(this.random.fork('institutions'));
    this.items.clear();
    this.publicTokens.clear();
    this.accessTokens.clear();
    this.itemsCreated = 0;
    this.webhooks.reset();
  }

  /** Plaid request ids are 15 alphanumerics. */
  nextRequestId(): string {
    return this.requestIds.alphanumeric(15);
  }

  authenticate(clientId: string | undefined, secret: string | undefined): string {
    const match = this.options.credentials.find((c) => c.clientId === clientId && c.secret === secret);
    if (!match) throw plaidErrors.invalidApiKeys();
    return match.clientId;
  }

  institution(institutionId: string): InstitutionRecord | undefined {
    return this.institutions.find((record) => record.institution.institution_id === institutionId);
  }

  /** What /sandbox/public_token/create does: link an Item (generating its accounts and history) and return a public token. */
  createItem(input: CreateItemInput): { item: PlaidItem; publicToken: string } {
    const institution = this.institution(input.institutionId);
    if (!institution) throw plaidErrors.invalidInstitution();
    for (const product of input.products)
      if (!institution.institution.products.includes(product)) throw plaidErrors.invalidProduct(product);

    const random = this.random.fork(`item:${this.itemsCreated}`);
    this.itemsCreated += 1;
    const now = this.clock.now();
    const item = new PlaidItem({
      itemId: plaidId(random),
      clientId: input.clientId,
      institution,
      webhook: input.webhook,
      products: input.products,
      createdAt: now,
      random,
      historyDays: input.historyDays,
      accounts: generateAccounts(random.fork('accounts'), institution),
    });
    item.loadHistory(generateHistory(item, isoDate(now)));
    this.items.set(item.itemId, item);

    const tokens = random.fork('tokens');
    const publicToken = `public-sandbox-${tokens.uuid()}`;
    this.publicTokens.set(publicToken, {
      itemId: item.itemId,
      accessToken: `access-sandbox-${tokens.uuid()}`,
      expiresAt: now.getTime() + PUBLIC_TOKEN_TTL_MS,
      exchanged: false,
    });
    if (input.products.includes('transactions')) this.notifySyncUpdates(item);
    return { item, publicToken };
  }

  /** A public token works once and only within its 30 minutes. */
  exchangePublicToken(clientId: string, publicToken: string): { accessToken: string; itemId: string } {
    if (!/^public-(sandbox|development|production)-[0-9a-f-]{36}$/.test(publicToken))
      throw plaidErrors.malformedPublicToken();
    const record = this.publicTokens.get(publicToken);
    const item = record ? this.items.get(record.itemId) : undefined;
    if (!record || !item || item.clientId !== clientId) throw plaidErrors.malformedPublicToken();
    if (record.exchanged) throw plaidErrors.usedPublicToken();
    if (this.clock.now().getTime() >= record.expiresAt) throw plaidErrors.expiredPublicToken();
    record.exchanged = true;
    this.accessTokens.set(record.accessToken, item.itemId);
    return { accessToken: record.accessToken, itemId: item.itemId };
  }

  /**
   * The Item behind an access token. Per Plaid's docs a malformed or unknown token is INVALID_ACCESS_TOKEN, a
   * removed Item is ITEM_NOT_FOUND, and an Item in an error state refuses data requests with that error.
   */
  itemForAccessToken(clientId: string, accessToken: string, options: { allowItemError?: boolean } = {}): PlaidItem {
    if (!/^access-(sandbox|development|production)-[0-9a-f-]{36}$/.test(accessToken))
      throw plaidErrors.invalidAccessToken();
    const itemId = this.accessTokens.get(accessToken);
    const item = itemId ? this.items.get(itemId) : undefined;
    if (!item || item.clientId !== clientId) throw plaidErrors.unknownAccessToken();
    if (item.removed) throw plaidErrors.itemNotFound();
    if (item.error && !options.allowItemError) throw item.error;
    return item;
  }

  /** For test helpers: an Item by item_id or by access token. */
  resolveItem(ref: string): PlaidItem {
    const item = this.items.get(this.accessTokens.get(ref) ?? ref);
    if (!item) throw new Error(`no Plaid item for ${ref}`);
    return item;
  }

  removeItem(item: PlaidItem): void {
    item.removed = true;
  }

  /** New activity at the bank, then the webhooks Plaid sends for it. */
  refreshTransactions(item: PlaidItem): ActivitySummary {
    const summary = generateActivity(item, isoDate(this.clock.now()));
    item.lastSuccessfulUpdate = this.clock.now();
    this.notifyTransactionChanges(item, summary.added, summary.removed);
    return summary;
  }

  addPurchases(item: PlaidItem, count: number): WireTransaction[] {
    const added = generatePurchases(item, count, isoDate(this.clock.now()));
    item.lastSuccessfulUpdate = this.clock.now();
    this.notifyTransactionChanges(item, added.length, []);
    return added;
  }

  requireLogin(item: PlaidItem): void {
    item.error = plaidErrors.itemLoginRequired();
    this.sendWebhook(item, this.webhookPayload(item, 'ERROR'));
  }

  repairLogin(item: PlaidItem): void {
    item.error = null;
    this.sendWebhook(item, this.webhookPayload(item, 'LOGIN_REPAIRED'));
  }

  updateWebhook(item: PlaidItem, url: string | null): void {
    item.webhook = url;
    if (url !== null)
      this.sendWebhook(item, {
        webhook_type: 'ITEM',
        webhook_code: 'WEBHOOK_UPDATE_ACKNOWLEDGED',
        item_id: item.itemId,
        error: null,
        new_webhook_url: url,
        environment: 'sandbox',
      });
  }

  /** What /sandbox/item/fire_webhook sends; per Plaid, it needs a webhook URL on the Item. */
  fireWebhook(item: PlaidItem, code: string): PlaidWebhook {
    if (!(code in FIREABLE_WEBHOOKS)) throw plaidErrors.invalidField(`webhook_code ${code} is not supported`);
    if (item.webhook === null) throw plaidErrors.sandboxWebhookInvalid();
    const delivery = this.sendWebhook(item, this.webhookPayload(item, code));
    if (!delivery) throw plaidErrors.sandboxWebhookInvalid();
    return delivery;
  }

  private webhookPayload(item: PlaidItem, code: string): WebhookPayload {
    const base = { item_id: item.itemId, environment: 'sandbox' as const };
    switch (code) {
      case 'SYNC_UPDATES_AVAILABLE':
        return {
          webhook_type: 'TRANSACTIONS',
          webhook_code: code,
          ...base,
          initial_update_complete: true,
          historical_update_complete: true,
        };
      case 'DEFAULT_UPDATE':
        return { webhook_type: 'TRANSACTIONS', webhook_code: code, ...base, error: null, new_transactions: 0 };
      case 'ERROR':
        return {
          webhook_type: 'ITEM',
          webhook_code: code,
          ...base,
          error: (item.error ?? plaidErrors.itemLoginRequired()).toBody(),
        };
      case 'PENDING_DISCONNECT':
        return {
          webhook_type: 'ITEM',
          webhook_code: code,
          ...base,
          reason: 'INSTITUTION_TOKEN_EXPIRATION',
          disconnect_time: plaidTimestamp(new Date(this.clock.now().getTime() + 7 * 86_400_000)),
        };
      case 'NEW_ACCOUNTS_AVAILABLE':
      case 'USER_PERMISSION_REVOKED':
      case 'USER_ACCOUNT_REVOKED':
        return { webhook_type: 'ITEM', webhook_code: code, ...base, error: null };
      default:
        return { webhook_type: FIREABLE_WEBHOOKS[code] ?? 'ITEM', webhook_code: code, ...base };
    }
  }

  private notifySyncUpdates(item: PlaidItem): void {
    this.sendWebhook(item, this.webhookPayload(item, 'SYNC_UPDATES_AVAILABLE'));
  }

  /**
   * SYNC_UPDATES_AVAILABLE for /transactions/sync users; Items that have called /transactions/get also get the
   * legacy DEFAULT_UPDATE and TRANSACTIONS_REMOVED webhooks, as Plaid sends them.
   */
  private notifyTransactionChanges(item: PlaidItem, added: number, removed: string[]): void {
    this.notifySyncUpdates(item);
    if (!item.usedTransactionsGet) return;
    if (added > 0) this.sendWebhook(item, { ...this.webhookPayload(item, 'DEFAULT_UPDATE'), new_transactions: added });
    if (removed.length > 0)
      this.sendWebhook(item, {
        webhook_type: 'TRANSACTIONS',
        webhook_code: 'TRANSACTIONS_REMOVED',
        item_id: item.itemId,
        error: null,
        removed_transactions: removed,
        environment: 'sandbox',
      });
  }

  private sendWebhook(item: PlaidItem, payload: WebhookPayload): PlaidWebhook | null {
    if (item.webhook === null || item.removed) return null;
    item.lastWebhook = { sentAt: this.clock.now(), code: payload.webhook_code };
    return this.webhooks.send(item.webhook, item.itemId, payload);
  }
}
