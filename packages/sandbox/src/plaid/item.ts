import type { PlaidApiError } from './errors.js';
import type { InstitutionRecord } from './institutions.js';
import type { SeededRandom } from './random.js';
import type { Product, WireAccount, WireItem, WireTransaction } from './wire-types.js';

/** An account as held in memory: the posted balance is stored, the available balance derived from pending activity. */
export interface AccountState {
  account: Omit<WireAccount, 'balances'>;
  current: number;
  limit: number | null;
  currency: string;
}

/**
 * A transaction with the change sequence numbers that `/transactions/sync` cursors are built on: every change to an
 * Item's transactions takes the next number of that Item's sequence.
 */
export interface TransactionRecord {
  transaction: WireTransaction;
  createdSeq: number;
  modifiedSeq: number;
  removedSeq: number | null;
}

export interface ItemInit {
  itemId: string;
  clientId: string;
  institution: InstitutionRecord;
  webhook: string | null;
  products: Product[];
  createdAt: Date;
  random: SeededRandom;
  historyDays: number;
  accounts: AccountState[];
}

/** Plaid's timestamp format: ISO 8601 in UTC without fractional seconds (`YYYY-MM-DDTHH:mm:ssZ`). */
export const plaidTimestamp = (at: Date): string => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

const round2 = (value: number): number => Math.round(value * 100) / 100;

export class PlaidItem {
  readonly itemId: string;
  readonly clientId: string;
  readonly institution: InstitutionRecord;
  readonly createdAt: Date;
  readonly random: SeededRandom;
  readonly historyDays: number;
  readonly accounts: AccountState[];
  webhook: string | null;
  billedProducts: Product[];
  /** The Item's error state (e.g. ITEM_LOGIN_REQUIRED), reported by /item/get and refused by data endpoints. */
  error: PlaidApiError | null = null;
  removed = false;
  /** How many times new activity was generated; names the random stream of the next run. */
  activityRuns = 0;
  lastSuccessfulUpdate: Date;
  lastWebhook: { sentAt: Date; code: string } | null = null;
  /** Plaid sends the legacy DEFAULT_UPDATE / TRANSACTIONS_REMOVED webhooks to Items that used /transactions/get. */
  usedTransactionsGet = false;
  private head = 0;
  private readonly records = new Map<string, TransactionRecord>();

  constructor(init: ItemInit) {
    this.itemId = init.itemId;
    this.clientId = init.clientId;
    this.institution = init.institution;
    this.webhook = init.webhook;
    this.billedProducts = [...init.products];
    this.createdAt = init.createdAt;
    this.random = init.random;
    this.historyDays = init.historyDays;
    this.accounts = init.accounts;
    this.lastSuccessfulUpdate = init.createdAt;
  }

  /** The sequence number of the latest change. */
  get changeHead(): number {
    return this.head;
  }

  account(accountId: string): AccountState | undefined {
    return this.accounts.find((state) => state.account.account_id === accountId);
  }

  accountViews(accountIds?: readonly string[]): WireAccount[] {
    const chosen = accountIds ? this.accounts.filter((s) => accountIds.includes(s.account.account_id)) : this.accounts;
    return chosen.map((state) => this.accountView(state));
  }

  /**
   * Per Plaid's docs: for depository accounts `available` is what can be withdrawn (current less pending debits); for
   * credit accounts `current` is what is owed and `available` is the limit less what is owed and pending.
   */
  private accountView(state: AccountState): WireAccount {
    const pendingOut = this.live()
      .filter((tx) => tx.pending && tx.account_id === state.account.account_id)
      .reduce((sum, tx) => sum + tx.amount, 0);
    let available: number | null;
    if (state.account.type === 'depository') available = round2(state.current - Math.max(pendingOut, 0));
    else if (state.account.type === 'credit' && state.limit !== null)
      available = round2(state.limit - state.current - Math.max(pendingOut, 0));
    else available = null;
    return {
      ...state.account,
      balances: {
        available,
        current: round2(state.current),
        limit: state.limit,
        iso_currency_code: state.currency,
        unofficial_currency_code: null,
      },
    };
  }

  /** Transactions that exist now (not removed), in the order they were recorded. */
  live(): WireTransaction[] {
    const out: WireTransaction[] = [];
    for (const record of this.records.values()) if (record.removedSeq === null) out.push(record.transaction);
    return out;
  }

  allRecords(): IterableIterator<TransactionRecord> {
    return this.records.values();
  }

  get(transactionId: string): WireTransaction | undefined {
    const record = this.records.get(transactionId);
    return record && record.removedSeq === null ? record.transaction : undefined;
  }

  /**
   * Record the history the Item was linked with. The seeded balances are today's, so the history does not move
   * them; only later activity does.
   */
  loadHistory(transactions: readonly WireTransaction[]): void {
    for (const transaction of transactions) this.record(transaction);
  }

  add(transaction: WireTransaction): void {
    this.record(transaction);
    this.applyToBalance(transaction, 1);
  }

  private record(transaction: WireTransaction): void {
    this.head += 1;
    this.records.set(transaction.transaction_id, {
      transaction,
      createdSeq: this.head,
      modifiedSeq: this.head,
      removedSeq: null,
    });
  }

  modify(transactionId: string, patch: Partial<WireTransaction>): void {
    const record = this.records.get(transactionId);
    if (!record || record.removedSeq !== null) throw new Error(`no live transaction ${transactionId}`);
    this.applyToBalance(record.transaction, -1);
    record.transaction = { ...record.transaction, ...patch };
    this.applyToBalance(record.transaction, 1);
    this.head += 1;
    record.modifiedSeq = this.head;
  }

  remove(transactionId: string): void {
    const record = this.records.get(transactionId);
    if (!record || record.removedSeq !== null) throw new Error(`no live transaction ${transactionId}`);
    this.applyToBalance(record.transaction, -1);
    this.head += 1;
    record.removedSeq = this.head;
  }

  /** Posted activity moves the posted balance; pending activity only shows in `available` (see accountView). */
  private applyToBalance(transaction: WireTransaction, direction: 1 | -1): void {
    if (transaction.pending) return;
    const state = this.account(transaction.account_id);
    if (!state) return;
    // Plaid amounts are positive for money out: that lowers a depository balance and raises what a card owes.
    const signed = state.account.type === 'credit' ? transaction.amount : -transaction.amount;
    state.current = round2(state.current + direction * signed);
  }

  toWire(): WireItem {
    const supported = this.institution.institution.products;
    return {
      item_id: this.itemId,
      institution_id: this.institution.institution.institution_id,
      institution_name: this.institution.institution.name,
      webhook: this.webhook,
      auth_method: null,
      error: this.error ? this.error.toBody() : null,
      available_products: supported.filter((p) => !this.billedProducts.includes(p)),
      billed_products: [...this.billedProducts],
      products: [...this.billedProducts],
      consented_products: [...this.billedProducts],
      consent_expiration_time: null,
      update_type: 'background',
      created_at: plaidTimestamp(this.createdAt),
    };
  }
}
