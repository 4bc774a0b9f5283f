export { canonicalJson, argumentsHash, CALL_CONTROL_ARGUMENTS } from './canonical';
export {
  IdempotencyKeyReusedError,
  IdempotencyInProgressError,
  OutcomeUnknownError,
  ConfirmationRefusedError,
  StepUpRequiredError,
  LimitExceededError,
} from './errors';
export {
  createIdempotencyStore,
  attachSql,
  completeSql,
  providerIdempotencyKey,
  replay,
  storedError,
} from './idempotency';
export type { IdempotencyStore, IdempotencyStoreOptions, IdempotencyScope, StoredOutcome, Claim } from './idempotency';
export { createConfirmationStore } from './confirmations';
export type { ConfirmationStore, ConfirmationStoreOptions, ConfirmationBinding } from './confirmations';
export { requireStepUp } from './step-up';
export type { StepUpVerifier } from './step-up';
export { checkAmountLimits, needsConfirmation, combineLimits, ROLLING_WINDOW_MS } from './limits';
export type { AmountLimits, LimitWording } from './limits';
export { SAFETY_MIGRATIONS } from './schema';
export type { SafetyQueryable } from './sql';
