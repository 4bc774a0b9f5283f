/**
 * The subset of Plaid's JSON wire format this emulator speaks, field for field as Plaid's API reference names them.
 * Declared here rather than imported from the `plaid` SDK so that the emulator does not depend on the client.
 */

export type PlaidErrorType =
  | 'INVALID_REQUEST'
  | 'INVALID_INPUT'
  | 'INVALID_RESULT'
  | 'ITEM_ERROR'
  | 'API_ERROR'
  | 'SANDBOX_ERROR'
  | 'TRANSACTIONS_ERROR'
  | 'RATE_LIMIT_EXCEEDED';

export interface PlaidErrorBody {
  error_type: PlaidErrorType;
  error_code: string;
  error_code_reason: string | null;
  error_message: string;
  display_message: string | null;
  request_id?: string;
  /** Only set when the error is carried by a webhook or an Item, per Plaid's docs. */
  status?: number;
  documentation_url?: string;
  suggested_action: string | null;
}

export type Product = 'assets' | 'auth' | 'balance' | 'identity' | 'investments' | 'liabilities' | 'transactions';

export type CountryCode = 'US' | 'CA' | 'GB';

export interface WireInstitution {
  institution_id: string;
  name: string;
  products: Product[];
  country_codes: CountryCode[];
  url?: string | null;
  primary_color?: string | null;
  logo?: string | null;
  routing_numbers: string[];
  dtc_numbers: string[];
  oauth: boolean;
  status?: null;
}

export type AccountType = 'depository' | 'credit' | 'investment';
export type AccountSubtype = 'checking' | 'savings' | 'credit card' | 'ira' | 'brokerage';

export interface WireBalance {
  available: number | null;
  current: number | null;
  limit: number | null;
  iso_currency_code: string | null;
  unofficial_currency_code: string | null;
}

export interface WireAccount {
  account_id: string;
  balances: WireBalance;
  mask: string | null;
  name: string;
  official_name: string | null;
  type: AccountType;
  subtype: AccountSubtype | null;
  persistent_account_id?: string;
}

export interface WireItem {
  item_id: string;
  institution_id: string | null;
  institution_name: string | null;
  webhook: string | null;
  auth_method: null;
  error: PlaidErrorBody | null;
  available_products: Product[];
  billed_products: Product[];
  products: Product[];
  consented_products: Product[];
  consent_expiration_time: string | null;
  update_type: 'background' | 'user_present_required';
  created_at: string;
}

export type PaymentChannel = 'online' | 'in store' | 'other';

/** Plaid's `transaction_code`; per Plaid's docs only populated for European institutions. */
export type TransactionCode =
  | 'adjustment'
  | 'atm'
  | 'bank charge'
  | 'bill payment'
  | 'cash'
  | 'direct debit'
  | 'interest'
  | 'purchase'
  | 'standing order'
  | 'transfer';

export interface PersonalFinanceCategory {
  primary: string;
  detailed: string;
  confidence_level: 'VERY_HIGH' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';
}

export interface WireLocation {
  address: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
  lat: number | null;
  lon: number | null;
  store_number: string | null;
}

export interface WirePaymentMeta {
  reference_number: string | null;
  ppd_id: string | null;
  payee: string | null;
  by_order_of: string | null;
  payer: string | null;
  payment_method: string | null;
  payment_processor: string | null;
  reason: string | null;
}

export interface WireCounterparty {
  name: string;
  type: 'merchant' | 'financial_institution' | 'payment_app' | 'marketplace' | 'payment_terminal' | 'income_source';
  logo_url: string | null;
  website: string | null;
  entity_id: string | null;
  confidence_level: 'VERY_HIGH' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';
}

export interface WireTransaction {
  account_id: string;
  account_owner: string | null;
  /** Plaid's convention: positive when money leaves the account, negative when it comes in. */
  amount: number;
  iso_currency_code: string | null;
  unofficial_currency_code: string | null;
  check_number: string | null;
  counterparties: WireCounterparty[];
  date: string;
  datetime: string | null;
  authorized_date: string | null;
  authorized_datetime: string | null;
  location: WireLocation;
  logo_url: string | null;
  merchant_entity_id: string | null;
  merchant_name: string | null;
  name: string;
  original_description?: string | null;
  payment_channel: PaymentChannel;
  payment_meta: WirePaymentMeta;
  pending: boolean;
  pending_transaction_id: string | null;
  personal_finance_category: PersonalFinanceCategory;
  personal_finance_category_icon_url: string;
  transaction_code: TransactionCode | null;
  transaction_id: string;
  transaction_type: 'digital' | 'place' | 'special' | 'unresolved';
  website: string | null;
}

export interface WireRemovedTransaction {
  transaction_id: string;
  account_id: string;
}

export type TransactionsUpdateStatus = 'NOT_READY' | 'INITIAL_UPDATE_COMPLETE' | 'HISTORICAL_UPDATE_COMPLETE';

export type WebhookType = 'TRANSACTIONS' | 'ITEM';

/** A webhook body; every Plaid webhook carries these three fields plus code-specific ones. */
export interface WebhookPayload {
  webhook_type: WebhookType;
  webhook_code: string;
  item_id: string;
  environment: 'sandbox';
  [field: string]: unknown;
}

export interface WireJwk {
  alg: 'ES256';
  crv: 'P-256';
  kid: string;
  kty: 'EC';
  use: 'sig';
  x: string;
  y: string;
  created_at: number;
  expired_at: number | null;
}
