import { DomainError } from '@fintech/kit';

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

/** Which configured limit a payment would break. */
export type LimitName = 'per_payment_max' | 'daily_total_max';

export class LimitExceededError extends DomainError {
  override readonly name = 'LimitExceededError';
  constructor(limit: LimitName, message: string, metadata: Record<string, string>) {
    super('LIMIT_EXCEEDED', message, { field: 'amount', metadata: { limit, ...metadata } });
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
  constructor(wrongCode: boolean) {
    super(
      wrongCode ? 'MFA_CODE_INVALID' : 'MFA_REQUIRED',
      wrongCode
        ? 'the authenticator code is wrong or was already used'
        : 'adding a payment method needs the current code of your authenticator app in mfa_code',
      { field: 'mfa_code' },
    );
  }
}

/** The provider declined the payment (the card, the issuer or the provider's risk checks). */
export class PaymentDeclinedError extends DomainError {
  override readonly name = 'PaymentDeclinedError';
  constructor(message: string, metadata: Record<string, string>) {
    super('PAYMENT_DECLINED', message, { metadata });
  }
}

/** The provider could not be reached or failed; the outcome may be unknown, so the retry must reuse the key. */
export class ProviderUnavailableError extends DomainError {
  override readonly name = 'ProviderUnavailableError';
  constructor(message = 'the payment provider is unavailable; retry with the same idempotency key') {
    super('UNAVAILABLE', message);
  }
}
