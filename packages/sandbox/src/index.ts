export { startSandbox, DEFAULT_PORTS, type Sandbox, type SandboxOptions, type SandboxPorts } from './core/server.js';
export { buildAdminApp, type AdminDependencies } from './core/admin.js';
export { createClock } from './core/clock.js';
export { createRandom, type SeededRandom } from './core/random.js';
export {
  createFaultInjector,
  providerErrorBody,
  type Fault,
  type FaultInjector,
  type FaultRule,
  type FaultStatus,
  type ProviderName,
} from './core/faults.js';
export {
  createWebhookSender,
  type WebhookDeliveryOptions,
  type WebhookDeliveryRecord,
  type WebhookRequest,
  type WebhookSender,
} from './core/webhooks.js';
export type { Emulator, EmulatorOptions, SandboxClock } from './core/types.js';
export {
  createStripeEmulator,
  stripeSignatureHeader,
  type EndpointRegistration,
  type StripeEmulator,
  type StripeEmulatorOptions,
} from './stripe/index.js';
export {
  createPlaidEmulator,
  DEFAULT_PLAID_CREDENTIALS,
  type PlaidEmulator,
  type PlaidEmulatorOptions,
  type PlaidCredentials,
  type PlaidWebhook,
} from './plaid/index.js';
export { createAlpacaEmulator, type AlpacaEmulator, type AlpacaEmulatorOptions } from './alpaca/index.js';
