export {
  createPlaidEmulator,
  DEFAULT_PLAID_CREDENTIALS,
  type PlaidEmulator,
  type PlaidEmulatorOptions,
} from './plaid-emulator.js';
export type { PlaidCredentials } from './plaid-backend.js';
export type { ActivitySummary } from './data-generator.js';
export type { PlaidWebhook } from './webhook-dispatcher.js';
export type * from './wire-types.js';
