import type { PlaidErrorBody, PlaidErrorType } from './wire-types.js';

const DOC_PAGES: Partial<Record<PlaidErrorType, string>> = {
  INVALID_REQUEST: 'invalid-request',
  INVALID_INPUT: 'invalid-input',
  ITEM_ERROR: 'item',
  API_ERROR: 'api',
  SANDBOX_ERROR: 'sandbox',
  TRANSACTIONS_ERROR: 'transactions',
};

/**
 * An error answered in Plaid's error object format. Per Plaid's docs, INVALID_REQUEST, INVALID_INPUT, ITEM_ERROR,
 * SANDBOX_ERROR and TRANSACTIONS_ERROR errors use HTTP 400; API_ERROR uses 500.
 */
export class PlaidApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: PlaidErrorType,
    readonly errorCode: string,
    message: string,
    readonly displayMessage: string | null = null,
  ) {
    super(message);
    this.name = 'PlaidApiError';
  }

  /** The body Plaid sends; `request_id` is omitted when the error travels inside a webhook or an Item. */
  toBody(requestId?: string): PlaidErrorBody {
    const page = DOC_PAGES[this.errorType];
    return {
      display_message: this.displayMessage,
      documentation_url: page ? `https://plaid.com/docs/errors/${page}/#${this.errorCode.toLowerCase()}` : undefined,
      error_code: this.errorCode,
      error_code_reason: null,
      error_message: this.message,
      error_type: this.errorType,
      ...(requestId === undefined ? { status: this.status } : { request_id: requestId }),
      suggested_action: null,
    };
  }
}

export const plaidErrors = {
  invalidApiKeys: () =>
    new PlaidApiError(400, 'INVALID_INPUT', 'INVALID_API_KEYS', 'invalid client_id or secret provided'),
  missingFields: (fields: string[]) =>
    new PlaidApiError(
      400,
      'INVALID_REQUEST',
      'MISSING_FIELDS',
      `the following required fields are missing: ${fields.join(', ')}`,
    ),
  invalidField: (message: string) => new PlaidApiError(400, 'INVALID_REQUEST', 'INVALID_FIELD', message),
  invalidBody: () => new PlaidApiError(400, 'INVALID_REQUEST', 'INVALID_BODY', 'body could not be parsed as JSON'),
  notFound: () => new PlaidApiError(404, 'INVALID_REQUEST', 'NOT_FOUND', 'not found'),
  invalidAccessToken: () =>
    new PlaidApiError(
      400,
      'INVALID_INPUT',
      'INVALID_ACCESS_TOKEN',
      'provided access token is in an invalid format. expected format: access-<environment>-<identifier>',
    ),
  unknownAccessToken: () =>
    new PlaidApiError(400, 'INVALID_INPUT', 'INVALID_ACCESS_TOKEN', 'could not find matching access token'),
  malformedPublicToken: () =>
    new PlaidApiError(
      400,
      'INVALID_INPUT',
      'INVALID_PUBLIC_TOKEN',
      'provided public token is in an invalid format. expected format: public-<environment>-<identifier>',
    ),
  expiredPublicToken: () =>
    new PlaidApiError(
      400,
      'INVALID_INPUT',
      'INVALID_PUBLIC_TOKEN',
      'provided public token is expired. Public tokens expire 30 minutes after creation at which point they can no longer be exchanged',
    ),
  usedPublicToken: () =>
    new PlaidApiError(
      400,
      'INVALID_INPUT',
      'INVALID_PUBLIC_TOKEN',
      'provided public token has already been exchanged. Public tokens can only be exchanged once',
    ),
  itemNotFound: () =>
    new PlaidApiError(
      400,
      'ITEM_ERROR',
      'ITEM_NOT_FOUND',
      'The Item you requested cannot be found. This Item does not exist, has been previously removed via /item/remove, or has had access removed by the user.',
    ),
  itemLoginRequired: () =>
    new PlaidApiError(
      400,
      'ITEM_ERROR',
      'ITEM_LOGIN_REQUIRED',
      "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state",
      "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state",
    ),
  invalidInstitution: () =>
    new PlaidApiError(400, 'INVALID_INPUT', 'INVALID_INSTITUTION', 'invalid institution_id provided'),
  invalidProduct: (product: string) =>
    new PlaidApiError(
      400,
      'INVALID_INPUT',
      'INVALID_PRODUCT',
      `the institution does not support the requested product: ${product}`,
    ),
  invalidAccountId: () =>
    new PlaidApiError(400, 'INVALID_INPUT', 'INVALID_ACCOUNT_ID', 'one or more of the account IDs is invalid'),
  invalidWebhookKeyId: () =>
    new PlaidApiError(
      400,
      'INVALID_INPUT',
      'INVALID_WEBHOOK_VERIFICATION_KEY_ID',
      'invalid key_id provided. note that key_ids are specific to Plaid environments, and verification requests must be made to the same environment that the webhook was sent from',
    ),
  sandboxWebhookInvalid: () =>
    new PlaidApiError(
      400,
      'SANDBOX_ERROR',
      'SANDBOX_WEBHOOK_INVALID',
      'Webhook for this item is either not set up, or invalid. Please update the item with a valid webhook using /item/webhook/update',
    ),
  syncMutationDuringPagination: () =>
    new PlaidApiError(
      400,
      'TRANSACTIONS_ERROR',
      'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION',
      'Underlying transaction data changed since last page was fetched. Please restart pagination from last update.',
    ),
  internal: () => new PlaidApiError(500, 'API_ERROR', 'INTERNAL_SERVER_ERROR', 'an unexpected error occurred'),
};
