import { DomainError } from '@fintech/kit';

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
