import { DomainError } from '../errors';

/**
 * The same idempotency key was sent with other arguments (or to another tool). Stripe answers this case with an
 * idempotency_error; so do we, naming the key so the agent knows which one to change.
 */
export class IdempotencyKeyReusedError extends DomainError {
  override readonly name = 'IdempotencyKeyReusedError';
  constructor(key: string, detail: 'arguments' | 'tool') {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      detail === 'tool'
        ? `idempotency key "${key}" was already used with another tool; use a new key for a different request`
        : `idempotency key "${key}" was already used with other arguments; use a new key for a different request`,
      { field: 'idempotency_key', metadata: { idempotency_key: key } },
    );
  }
}

/** A request with the same key is still running and did not finish within the caller's deadline (Stripe's 409). */
export class IdempotencyInProgressError extends DomainError {
  override readonly name = 'IdempotencyInProgressError';
  constructor(key: string) {
    super(
      'CONFLICT',
      `a request with idempotency key "${key}" is still in progress; retry it later with the same key`,
      {
        field: 'idempotency_key',
        metadata: { idempotency_key: key },
      },
    );
  }
}

/** The operation ended without an outcome (an outage, a bug): it may or may not have happened, so retry with the key. */
export class OutcomeUnknownError extends DomainError {
  override readonly name = 'OutcomeUnknownError';
  constructor(message = 'the operation did not complete; retry with the same idempotency key') {
    super('UNAVAILABLE', message);
  }
}

/** A confirmation token that cannot be used: unknown, expired, spent, another user's or for other arguments. */
export class ConfirmationRefusedError extends DomainError {
  override readonly name = 'ConfirmationRefusedError';
  constructor(message: string) {
    super('CONFIRMATION_INVALID', message, { field: 'confirmation_token' });
  }
}

/** The user has MFA enrolled and the action needs a current code (or the code given was wrong). */
export class StepUpRequiredError extends DomainError {
  override readonly name = 'StepUpRequiredError';
  constructor(wrongCode: boolean, action: string) {
    super(
      wrongCode ? 'MFA_CODE_INVALID' : 'MFA_REQUIRED',
      wrongCode
        ? 'the authenticator code is wrong or was already used'
        : `${action} needs the current code of your authenticator app in mfa_code`,
      { field: 'mfa_code' },
    );
  }
}

/** An amount above one of the caller's limits; `limit` names which. */
export class LimitExceededError extends DomainError {
  override readonly name = 'LimitExceededError';
  constructor(limit: string, message: string, metadata: Record<string, string>) {
    super('LIMIT_EXCEEDED', message, { field: 'amount', metadata: { limit, ...metadata } });
  }
}
