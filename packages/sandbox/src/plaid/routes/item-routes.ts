import type { FastifyInstance } from 'fastify';
import { plaidErrors } from '../errors.js';
import { plaidTimestamp } from '../item.js';
import type { PlaidBackend } from '../plaid-backend.js';
import type { Product } from '../wire-types.js';
import { plaidRoute } from './plaid-route.js';
import type { RequestBody } from './request-body.js';

const PRODUCTS: readonly Product[] = [
  'assets',
  'auth',
  'balance',
  'identity',
  'investments',
  'liabilities',
  'transactions',
];

/** Plaid's default transaction history is 90 days; it can be asked for up to 730. */
const DEFAULT_HISTORY_DAYS = 90;

function webhookUrl(value: string | null | undefined, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // falls through to the error below
  }
  throw plaidErrors.invalidField(`${field} must be a valid http or https URL`);
}

function products(body: RequestBody): Product[] {
  const requested = body.stringArray('initial_products');
  for (const product of requested)
    if (!(PRODUCTS as readonly string[]).includes(product)) throw plaidErrors.invalidProduct(product);
  return [...new Set(requested as Product[])];
}

export function registerItemRoutes(app: FastifyInstance, backend: PlaidBackend): void {
  plaidRoute(app, backend, '/sandbox/public_token/create', ({ body, clientId }) => {
    const institutionId = body.string('institution_id');
    const initialProducts = products(body);
    const options = body.object('options');
    // Plaid's special Sandbox usernames (user_good, user_transactions_dynamic, ...) all link a healthy Item here;
    // an Item is put into ITEM_LOGIN_REQUIRED with /sandbox/item/reset_login or the emulator's requireLogin helper.
    options.optionalString('override_username');
    options.optionalString('override_password');
    const historyDays = options.object('transactions').optionalInt('days_requested', 1, 730) ?? DEFAULT_HISTORY_DAYS;
    const { publicToken } = backend.createItem({
      clientId,
      institutionId,
      products: initialProducts,
      webhook: webhookUrl(options.optionalString('webhook'), 'options.webhook'),
      historyDays,
    });
    return { public_token: publicToken };
  });

  plaidRoute(app, backend, '/item/public_token/exchange', ({ body, clientId }) => {
    const { accessToken, itemId } = backend.exchangePublicToken(clientId, body.string('public_token'));
    return { access_token: accessToken, item_id: itemId };
  });

  plaidRoute(app, backend, '/item/get', ({ body, clientId }) => {
    const item = backend.itemForAccessToken(clientId, body.string('access_token'), { allowItemError: true });
    return {
      item: item.toWire(),
      status: {
        investments: null,
        transactions: {
          last_successful_update: plaidTimestamp(item.lastSuccessfulUpdate),
          last_failed_update: null,
        },
        last_webhook: item.lastWebhook
          ? { sent_at: plaidTimestamp(item.lastWebhook.sentAt), code_sent: item.lastWebhook.code }
          : null,
      },
    };
  });

  plaidRoute(app, backend, '/item/remove', ({ body, clientId }) => {
    backend.removeItem(backend.itemForAccessToken(clientId, body.string('access_token'), { allowItemError: true }));
    return {};
  });

  plaidRoute(app, backend, '/item/webhook/update', ({ body, clientId }) => {
    const item = backend.itemForAccessToken(clientId, body.string('access_token'), { allowItemError: true });
    backend.updateWebhook(item, webhookUrl(body.nullableString('webhook'), 'webhook'));
    return { item: item.toWire() };
  });
}
