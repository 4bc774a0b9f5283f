import type { FastifyInstance } from 'fastify';
import { plaidErrors } from '../errors.js';
import type { PlaidItem } from '../item.js';
import type { PlaidBackend } from '../plaid-backend.js';
import { syncTransactions } from '../transactions-sync.js';
import type { WireTransaction } from '../wire-types.js';
import { accountIdsFilter } from './account-routes.js';
import { plaidRoute } from './plaid-route.js';

/** Per Plaid's docs, `original_description` is only included when `options.include_original_description` is true. */
const transactionView =
  (includeOriginalDescription: boolean) =>
  (transaction: WireTransaction): WireTransaction => {
    if (includeOriginalDescription) return { ...transaction };
    const { original_description: _omitted, ...rest } = transaction;
    return rest;
  };

/** Calling a Transactions endpoint adds the product to an Item that was linked without it, as Plaid does. */
function useTransactions(item: PlaidItem): void {
  if (!item.billedProducts.includes('transactions')) item.billedProducts.push('transactions');
}

/** Newest first, as /transactions/get returns them. */
const newestFirst = (a: WireTransaction, b: WireTransaction): number =>
  b.date.localeCompare(a.date) ||
  (b.authorized_datetime ?? '').localeCompare(a.authorized_datetime ?? '') ||
  a.transaction_id.localeCompare(b.transaction_id);

export function registerTransactionRoutes(app: FastifyInstance, backend: PlaidBackend): void {
  plaidRoute(app, backend, '/transactions/sync', ({ body, clientId }) => {
    const item = backend.itemForAccessToken(clientId, body.string('access_token'));
    const cursor = body.optionalString('cursor');
    const count = body.optionalInt('count', 1, 500) ?? 100;
    const options = body.object('options');
    const accountId = options.optionalString('account_id');
    if (accountId !== undefined && !item.account(accountId)) throw plaidErrors.invalidAccountId();
    useTransactions(item);
    const page = syncTransactions(item, {
      cursor,
      count,
      accountId,
      view: transactionView(options.optionalBoolean('include_original_description') ?? false),
    });
    return {
      accounts: item.accountViews(accountId === undefined ? undefined : [accountId]),
      added: page.added,
      modified: page.modified,
      removed: page.removed,
      next_cursor: page.nextCursor,
      has_more: page.hasMore,
      transactions_update_status: 'HISTORICAL_UPDATE_COMPLETE',
    };
  });

  plaidRoute(app, backend, '/transactions/get', ({ body, clientId }) => {
    const item = backend.itemForAccessToken(clientId, body.string('access_token'));
    const startDate = body.date('start_date');
    const endDate = body.date('end_date');
    if (endDate < startDate) throw plaidErrors.invalidField('end_date must be on or after start_date');
    const options = body.object('options');
    const count = options.optionalInt('count', 1, 500) ?? 100;
    const offset = options.optionalInt('offset', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const accountIds = accountIdsFilter(item, options);
    const view = transactionView(options.optionalBoolean('include_original_description') ?? false);
    useTransactions(item);
    item.usedTransactionsGet = true;
    const matching = item
      .live()
      .filter((tx) => tx.date >= startDate && tx.date <= endDate && (!accountIds || accountIds.includes(tx.account_id)))
      .sort(newestFirst);
    return {
      accounts: item.accountViews(accountIds),
      transactions: matching.slice(offset, offset + count).map(view),
      total_transactions: matching.length,
      item: item.toWire(),
    };
  });

  plaidRoute(app, backend, '/transactions/refresh', ({ body, clientId }) => {
    const item = backend.itemForAccessToken(clientId, body.string('access_token'));
    useTransactions(item);
    backend.refreshTransactions(item);
    return {};
  });
}
