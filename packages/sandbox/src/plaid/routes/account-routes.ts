import type { FastifyInstance } from 'fastify';
import { plaidErrors } from '../errors.js';
import type { PlaidItem } from '../item.js';
import type { PlaidBackend } from '../plaid-backend.js';
import { plaidRoute } from './plaid-route.js';
import type { RequestBody } from './request-body.js';

/** `options.account_ids`: per Plaid's docs, an id that is not one of the Item's accounts is INVALID_ACCOUNT_ID. */
export function accountIdsFilter(item: PlaidItem, options: RequestBody): string[] | undefined {
  const ids = options.optionalStringArray('account_ids');
  if (ids === undefined || ids.length === 0) return undefined;
  if (ids.some((id) => !item.account(id))) throw plaidErrors.invalidAccountId();
  return ids;
}

export function registerAccountRoutes(app: FastifyInstance, backend: PlaidBackend): void {
  plaidRoute(app, backend, '/accounts/get', ({ body, clientId }) => {
    const item = backend.itemForAccessToken(clientId, body.string('access_token'));
    const accounts = item.accountViews(accountIdsFilter(item, body.object('options')));
    return { accounts, item: item.toWire() };
  });

  plaidRoute(app, backend, '/accounts/balance/get', ({ body, clientId }) => {
    const item = backend.itemForAccessToken(clientId, body.string('access_token'));
    const options = body.object('options');
    options.optionalString('min_last_updated_datetime');
    const accounts = item.accountViews(accountIdsFilter(item, options)).map((account) => ({
      ...account,
      balances: { ...account.balances, last_updated_datetime: null },
    }));
    return { accounts, item: item.toWire() };
  });
}
