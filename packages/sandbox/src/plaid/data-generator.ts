import { createHash } from 'node:crypto';
import type { InstitutionRecord } from './institutions.js';
import type { AccountState, PlaidItem } from './item.js';
import {
  ATM_WITHDRAWAL,
  CARD_MERCHANTS,
  CARD_PAYMENT,
  CARD_PAYMENT_RECEIVED,
  INTEREST,
  MONTHLY_BILLS,
  PAYROLL,
  TRANSFER_FROM_CHECKING,
  TRANSFER_TO_SAVINGS,
  type MerchantProfile,
} from './merchants.js';
import type { SeededRandom } from './random.js';
import type { WireTransaction } from './wire-types.js';

const DAY_MS = 86_400_000;

/** The UTC calendar date of an instant, as Plaid writes dates (`YYYY-MM-DD`). */
export function isoDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return isoDate(new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS));
}

const maxDate = (a: string, b: string): string => (a > b ? a : b);
const minDate = (a: string, b: string): string => (a < b ? a : b);

/** Plaid ids are 37 case-sensitive alphanumerics. */
export const plaidId = (random: SeededRandom): string => random.alphanumeric(37);

/** A merchant's entity id is the same on every Item, as Plaid's is. */
function merchantEntityId(name: string): string {
  const hash = createHash('sha256').update(`merchant:${name}`).digest('base64url');
  return hash.replace(/[-_]/g, '').slice(0, 22);
}

/** The accounts of a new Item, shaped like Plaid Sandbox's own user_good accounts, with seeded masks and balances. */
export function generateAccounts(random: SeededRandom, institution: InstitutionRecord): AccountState[] {
  const currency = institution.currency;
  const products = institution.institution.products;
  const account = (
    name: string,
    officialName: string | null,
    type: AccountState['account']['type'],
    subtype: AccountState['account']['subtype'],
    current: number,
    limit: number | null,
  ): AccountState => ({
    account: {
      account_id: plaidId(random),
      mask: random.digits(4),
      name,
      official_name: officialName,
      type,
      subtype,
      persistent_account_id: random.alphanumeric(64).toLowerCase(),
    },
    current,
    limit,
    currency,
  });
  const accounts = [
    account(
      'Plaid Checking',
      'Plaid Gold Standard 0% Interest Checking',
      'depository',
      'checking',
      random.money(1500, 9000),
      null,
    ),
    account(
      'Plaid Saving',
      'Plaid Silver Standard 0.1% Interest Saving',
      'depository',
      'savings',
      random.money(2000, 25000),
      null,
    ),
    account(
      'Plaid Credit Card',
      'Plaid Diamond 12.5% APR Interest Credit Card',
      'credit',
      'credit card',
      random.money(200, 2500),
      random.pick([5000, 7500, 10000]),
    ),
  ];
  if (products.includes('investments'))
    accounts.push(account('Plaid IRA', null, 'investment', 'ira', random.money(300, 40000), null));
  return accounts;
}

/** Only depository and credit accounts carry transactions (investment activity is a separate Plaid product). */
export const carriesTransactions = (state: AccountState): boolean =>
  state.account.type === 'depository' || state.account.type === 'credit';

interface TransactionSpec {
  account: AccountState;
  profile: MerchantProfile;
  /** Signed per Plaid: positive when money leaves the account. */
  amount: number;
  authorizedDate: string;
  /** null while the transaction is pending. */
  postedDate: string | null;
  /** false when Plaid has not yet recognised the merchant: raw bank description, no merchant_name. */
  enriched: boolean;
  pendingTransactionId?: string | null;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

export function buildTransaction(random: SeededRandom, item: PlaidItem, spec: TransactionSpec): WireTransaction {
  const { profile } = spec;
  const authorizedAt = `${spec.authorizedDate}T${pad2(random.int(6, 22))}:${pad2(random.int(0, 59))}:00Z`;
  const postedAt = spec.postedDate
    ? `${spec.postedDate}T${pad2(random.int(0, 23))}:${pad2(random.int(0, 59))}:00Z`
    : null;
  const recognised = spec.enriched && profile.merchantName !== null;
  const european = item.institution.institution.country_codes.includes('GB');
  return {
    account_id: spec.account.account.account_id,
    account_owner: null,
    amount: Math.round(spec.amount * 100) / 100,
    iso_currency_code: spec.account.currency,
    unofficial_currency_code: null,
    check_number: null,
    counterparties: recognised
      ? [
          {
            name: profile.merchantName ?? profile.name,
            type: 'merchant',
            logo_url: null,
            website: profile.website,
            entity_id: merchantEntityId(profile.name),
            confidence_level: 'VERY_HIGH',
          },
        ]
      : [],
    date: spec.postedDate ?? spec.authorizedDate,
    datetime: postedAt ?? authorizedAt,
    authorized_date: spec.authorizedDate,
    authorized_datetime: authorizedAt,
    location: {
      address: null,
      city: null,
      region: null,
      postal_code: null,
      country: null,
      lat: null,
      lon: null,
      store_number: null,
    },
    logo_url: null,
    merchant_entity_id: recognised ? merchantEntityId(profile.name) : null,
    merchant_name: recognised ? profile.merchantName : null,
    name: spec.enriched ? profile.name : profile.rawDescription,
    original_description: profile.rawDescription,
    payment_channel: profile.channel,
    payment_meta: {
      reference_number: null,
      ppd_id: null,
      payee: null,
      by_order_of: null,
      payer: null,
      payment_method: null,
      payment_processor: null,
      reason: null,
    },
    pending: spec.postedDate === null,
    pending_transaction_id: spec.pendingTransactionId ?? null,
    personal_finance_category: {
      primary: profile.primary,
      detailed: profile.detailed,
      confidence_level: spec.enriched ? 'VERY_HIGH' : 'MEDIUM',
    },
    personal_finance_category_icon_url: `https://plaid-category-icons.plaid.com/PFC_${profile.primary}.png`,
    // Per Plaid's docs, transaction_code is only populated for European institutions.
    transaction_code: european ? profile.code : null,
    transaction_id: plaidId(random),
    transaction_type: profile.channel === 'online' ? 'digital' : profile.channel === 'in store' ? 'place' : 'special',
    website: recognised ? profile.website : null,
  };
}

const accountOf = (item: PlaidItem, subtype: string): AccountState | undefined =>
  item.accounts.find((state) => state.account.subtype === subtype);

function cardPurchase(
  random: SeededRandom,
  item: PlaidItem,
  account: AccountState,
  authorizedDate: string,
  postedDate: string | null,
): WireTransaction {
  const profile = random.pick(CARD_MERCHANTS);
  return buildTransaction(random, item, {
    account,
    profile,
    amount: random.money(profile.minAmount, profile.maxAmount),
    authorizedDate,
    postedDate,
    enriched: !random.chance(0.15),
  });
}

/**
 * The Item's transaction history: `historyDays` days up to `endDate`, oldest first. Card purchases from the last two
 * days are still pending, as Plaid shows them; everything else is posted.
 */
export function generateHistory(item: PlaidItem, endDate: string): WireTransaction[] {
  const random = item.random.fork('history');
  const checking = accountOf(item, 'checking');
  const savings = accountOf(item, 'savings');
  const card = accountOf(item, 'credit card');
  const out: WireTransaction[] = [];
  const payOffset = random.int(0, 13);
  const billDays = MONTHLY_BILLS.map(() => random.int(1, 28));
  const pendingFrom = addDays(endDate, -1);
  const purchase = (account: AccountState, day: string, forcePending = false): void => {
    const pending = forcePending || day >= pendingFrom;
    const posted = pending ? null : minDate(addDays(day, random.int(0, 2)), endDate);
    out.push(cardPurchase(random, item, account, day, posted));
  };
  const posted = (account: AccountState, profile: MerchantProfile, day: string, amount: number): void => {
    out.push(
      buildTransaction(random, item, {
        account,
        profile,
        amount,
        authorizedDate: day,
        postedDate: day,
        enriched: true,
      }),
    );
  };

  for (let back = item.historyDays - 1; back >= 0; back -= 1) {
    const day = addDays(endDate, -back);
    const dayOfMonth = Number(day.slice(8, 10));
    if (checking) {
      if (back % 14 === payOffset) posted(checking, PAYROLL, day, -random.money(PAYROLL.minAmount, PAYROLL.maxAmount));
      MONTHLY_BILLS.forEach((bill, i) => {
        if (billDays[i] === dayOfMonth) posted(checking, bill, day, random.money(bill.minAmount, bill.maxAmount));
      });
      if (savings && dayOfMonth === 3) {
        const amount = random.money(TRANSFER_TO_SAVINGS.minAmount, TRANSFER_TO_SAVINGS.maxAmount);
        posted(checking, TRANSFER_TO_SAVINGS, day, amount);
        posted(savings, TRANSFER_FROM_CHECKING, day, -amount);
      }
      if (card && dayOfMonth === 20) {
        const amount = random.money(CARD_PAYMENT.minAmount, CARD_PAYMENT.maxAmount);
        posted(checking, CARD_PAYMENT, day, amount);
        posted(card, CARD_PAYMENT_RECEIVED, day, -amount);
      }
      if (random.chance(0.5)) purchase(checking, day);
      if (random.chance(0.03)) posted(checking, ATM_WITHDRAWAL, day, random.pick([20, 40, 60, 80, 100, 200]));
    }
    if (savings && dayOfMonth === 28)
      posted(savings, INTEREST, day, -random.money(INTEREST.minAmount, INTEREST.maxAmount));
    if (card) for (let n = random.int(0, 2); n > 0; n -= 1) purchase(card, day);
  }
  // Always leave at least one authorisation pending, so the first refresh has something to settle.
  if (checking && !out.some((tx) => tx.pending)) purchase(checking, endDate, true);

  return out.sort(
    (a, b) =>
      (a.authorized_datetime ?? a.date).localeCompare(b.authorized_datetime ?? b.date) ||
      a.transaction_id.localeCompare(b.transaction_id),
  );
}

export interface ActivitySummary {
  added: number;
  modified: number;
  removed: string[];
}

/**
 * New activity since the last update, generated deterministically from the Item's seed and run number. It does what
 * Plaid documents for a bank's update: a pending transaction that posts is removed and a new posted transaction is
 * added with `pending_transaction_id` pointing at it (restaurant tips change its amount); a cancelled authorisation
 * is removed; Plaid's late merchant recognition modifies some posted transactions; and new purchases arrive.
 */
export function generateActivity(item: PlaidItem, today: string): ActivitySummary {
  const random = item.random.fork(`activity:${item.activityRuns}`);
  item.activityRuns += 1;
  const summary: ActivitySummary = { added: 0, modified: 0, removed: [] };
  const pending = item.live().filter((tx) => tx.pending);

  if (pending.length >= 2) {
    const cancelled = random.pick(pending);
    item.remove(cancelled.transaction_id);
    summary.removed.push(cancelled.transaction_id);
  }
  for (const tx of pending) {
    if (!item.get(tx.transaction_id)) continue;
    const account = item.account(tx.account_id);
    const profile = CARD_MERCHANTS.find((m) => m.rawDescription === tx.original_description);
    if (!account || !profile) continue;
    const tip = profile.detailed === 'FOOD_AND_DRINK_RESTAURANT' ? 1 + random.int(15, 22) / 100 : 1;
    item.remove(tx.transaction_id);
    summary.removed.push(tx.transaction_id);
    item.add(
      buildTransaction(random, item, {
        account,
        profile,
        amount: tx.amount * tip,
        authorizedDate: tx.authorized_date ?? tx.date,
        postedDate: maxDate(today, tx.authorized_date ?? tx.date),
        enriched: tx.merchant_name !== null || random.chance(0.5),
        pendingTransactionId: tx.transaction_id,
      }),
    );
    summary.added += 1;
  }

  summary.modified += enrichUnrecognised(item, random, random.int(1, 2));

  const spending = item.accounts.filter((s) => s.account.subtype === 'checking' || s.account.subtype === 'credit card');
  for (let n = random.int(2, 4); n > 0 && spending.length > 0; n -= 1) {
    item.add(cardPurchase(random, item, random.pick(spending), addDays(today, -random.int(0, 2)), today));
    summary.added += 1;
  }
  for (let n = random.int(1, 2); n > 0 && spending.length > 0; n -= 1) {
    item.add(cardPurchase(random, item, random.pick(spending), today, null));
    summary.added += 1;
  }
  return summary;
}

/** Plaid recognises merchants after the fact: the transaction is modified with a clean name and merchant_name. */
function enrichUnrecognised(item: PlaidItem, random: SeededRandom, limit: number): number {
  const candidates = item
    .live()
    .filter((tx) => !tx.pending && tx.merchant_name === null)
    .map((tx) => ({ tx, profile: CARD_MERCHANTS.find((m) => m.rawDescription === tx.original_description) }))
    .filter(
      (candidate): candidate is { tx: WireTransaction; profile: MerchantProfile } => candidate.profile !== undefined,
    );
  let modified = 0;
  for (const { tx, profile } of candidates.slice(-limit)) {
    const account = item.account(tx.account_id);
    if (!account) continue;
    const recognised = buildTransaction(random, item, {
      account,
      profile,
      amount: tx.amount,
      authorizedDate: tx.authorized_date ?? tx.date,
      postedDate: tx.date,
      enriched: true,
    });
    item.modify(tx.transaction_id, {
      name: recognised.name,
      merchant_name: recognised.merchant_name,
      merchant_entity_id: recognised.merchant_entity_id,
      counterparties: recognised.counterparties,
      website: recognised.website,
      personal_finance_category: recognised.personal_finance_category,
    });
    modified += 1;
  }
  return modified;
}

/** `count` posted card purchases dated within the last week, for tests that need a longer history. */
export function generatePurchases(item: PlaidItem, count: number, today: string): WireTransaction[] {
  const random = item.random.fork(`purchases:${item.activityRuns}`);
  item.activityRuns += 1;
  const spending = item.accounts.filter((s) => s.account.subtype === 'checking' || s.account.subtype === 'credit card');
  const added: WireTransaction[] = [];
  for (let n = 0; n < count && spending.length > 0; n += 1) {
    const tx = cardPurchase(random, item, random.pick(spending), addDays(today, -random.int(1, 7)), today);
    item.add(tx);
    added.push(tx);
  }
  return added;
}
