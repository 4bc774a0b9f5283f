import Stripe from 'stripe';
import { DomainError, ValidationError } from '@fintech/kit';
import { ProviderUnavailableError } from '../domain/errors';

/** Card details the provider returns for a saved method: never the number or the CVC. */
export interface SavedCard {
  stripePaymentMethodId: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  fingerprint: string;
}

/** How a PaymentIntent ended up after create-and-confirm. */
export type IntentOutcome =
  | { kind: 'succeeded' | 'processing' | 'requires_action'; paymentIntentId: string }
  | { kind: 'declined'; paymentIntentId: string | null; code: string; message: string }
  /** The provider refused the request itself (e.g. an amount below its minimum): nothing was charged. */
  | { kind: 'rejected'; paymentIntentId: string | null; code: string; message: string; param: string | null };

export interface RefundOutcome {
  stripeRefundId: string;
  /** pending, succeeded, failed (Stripe's refund statuses, requires_action and canceled folded into them). */
  status: 'pending' | 'succeeded' | 'failed';
  /**
   * The charge's refunded total as the provider holds it after this refund, refunds made elsewhere (the dashboard)
   * included; null when the provider did not say.
   */
  chargeRefundedMinor: bigint | null;
}

export interface StripeEventSummary {
  id: string;
  type: string;
  object: Record<string, unknown>;
}

/**
 * The only place the Stripe SDK is used. PaymentIntents and SetupIntents only (never the Charges API); every write
 * carries an Idempotency-Key, so a retry after a lost response returns the first result instead of charging again
 * (https://docs.stripe.com/api/idempotent_requests).
 */
export interface StripeAdapter {
  createCustomer(userId: string): Promise<string>;
  /** Validates and saves a card for the customer with a SetupIntent (confirm + off-session usage). */
  saveCard(input: { customerId: string; paymentToken: string; idempotencyKey: string }): Promise<SavedCard>;
  setDefaultPaymentMethod(customerId: string, stripePaymentMethodId: string): Promise<void>;
  /** Creates and confirms a PaymentIntent with the saved method in one idempotent request. */
  createPayment(input: {
    amountMinor: bigint;
    currency: string;
    customerId: string;
    stripePaymentMethodId: string;
    description: string;
    destinationAccount: string | null;
    metadata: Record<string, string>;
    idempotencyKey: string;
  }): Promise<IntentOutcome>;
  refund(input: {
    paymentIntentId: string;
    amountMinor: bigint;
    reason: string;
    metadata: Record<string, string>;
    idempotencyKey: string;
  }): Promise<RefundOutcome>;
  /** Verifies `Stripe-Signature` over the raw body and parses the event; throws on any mismatch. */
  verifyWebhook(rawBody: string | Buffer, signature: string): StripeEventSummary;
}

export interface StripeAdapterOptions {
  secretKey: string;
  apiBase: string;
  timeoutMs: number;
  webhookSecret: string;
  webhookToleranceSeconds: number;
  allowLive: boolean;
}

/** Errors whose outcome is unknown or transient: the request may be retried with the same Idempotency-Key. */
function isTransient(error: unknown): boolean {
  return (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    (error instanceof Stripe.errors.StripeError && (error.statusCode ?? 0) >= 500) ||
    (error instanceof Stripe.errors.StripeError && error.statusCode === 409)
  );
}

function providerFailure(error: unknown): never {
  if (isTransient(error)) throw new ProviderUnavailableError();
  if (
    error instanceof Stripe.errors.StripeAuthenticationError ||
    error instanceof Stripe.errors.StripePermissionError
  ) {
    throw new DomainError('UNAVAILABLE', 'the payment provider refused our credentials', { cause: error });
  }
  throw error;
}

/** Stripe takes amounts as integers of the smallest unit; its own ceiling is far below 2^53. */
function toStripeAmount(minor: bigint): number {
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new ValidationError('amount is too large', 'amount');
  return Number(minor);
}

function outcomeOf(intent: Stripe.PaymentIntent): IntentOutcome {
  switch (intent.status) {
    case 'succeeded':
      return { kind: 'succeeded', paymentIntentId: intent.id };
    case 'processing':
    case 'requires_capture':
      return { kind: 'processing', paymentIntentId: intent.id };
    case 'requires_action':
    case 'requires_confirmation':
      return { kind: 'requires_action', paymentIntentId: intent.id };
    default:
      return {
        kind: 'declined',
        paymentIntentId: intent.id,
        code: intent.last_payment_error?.decline_code ?? intent.last_payment_error?.code ?? 'payment_failed',
        message: intent.last_payment_error?.message ?? 'the payment was not completed',
      };
  }
}

export function createStripeAdapter(options: StripeAdapterOptions): StripeAdapter {
  if (options.secretKey.includes('_live_') && !options.allowLive) {
    throw new Error('a live Stripe key needs STRIPE_ALLOW_LIVE=true as well');
  }
  const base = new URL(options.apiBase);
  const protocol = base.protocol === 'http:' ? 'http' : 'https';
  const stripe = new Stripe(options.secretKey, {
    host: base.hostname,
    port: base.port ? Number(base.port) : protocol === 'http' ? 80 : 443,
    protocol,
    timeout: options.timeoutMs,
    // Retries stay with us: a failed call leaves the payment pending and the caller retries with the same key,
    // which this adapter turns into the same Stripe Idempotency-Key.
    maxNetworkRetries: 0,
    telemetry: false,
    appInfo: { name: 'fintech-payments' },
  });

  return {
    async createCustomer(userId) {
      try {
        const customer = await stripe.customers.create(
          { metadata: { user_id: userId } },
          // One customer per user even when two first uses race (both get the same answer back).
          { idempotencyKey: `customer-${userId}` },
        );
        return customer.id;
      } catch (error) {
        return providerFailure(error);
      }
    },

    async saveCard({ customerId, paymentToken, idempotencyKey }) {
      let intent: Stripe.SetupIntent;
      try {
        intent = await stripe.setupIntents.create(
          {
            customer: customerId,
            payment_method: paymentToken,
            confirm: true,
            usage: 'off_session',
            expand: ['payment_method'],
          },
          { idempotencyKey },
        );
      } catch (error) {
        if (error instanceof Stripe.errors.StripeCardError) {
          throw new DomainError('PAYMENT_METHOD_DECLINED', `the card was refused: ${error.message}`, {
            field: 'payment_token',
            metadata: { code: error.decline_code ?? error.code ?? 'card_declined' },
          });
        }
        if (error instanceof Stripe.errors.StripeInvalidRequestError) {
          throw new ValidationError(`payment_token was refused by the provider: ${error.message}`, 'payment_token');
        }
        return providerFailure(error);
      }
      if (intent.status !== 'succeeded') {
        throw new DomainError(
          'PAYMENT_METHOD_DECLINED',
          `the card needs the cardholder's authentication (${intent.status}); add it in a session where they can complete it`,
          { field: 'payment_token' },
        );
      }
      const method = intent.payment_method as Stripe.PaymentMethod | null;
      if (!method || typeof method !== 'object' || !method.card) {
        throw new ValidationError('payment_token is not a card', 'payment_token');
      }
      return {
        stripePaymentMethodId: method.id,
        brand: method.card.brand,
        last4: method.card.last4,
        expMonth: method.card.exp_month,
        expYear: method.card.exp_year,
        fingerprint: method.card.fingerprint ?? '',
      };
    },

    async setDefaultPaymentMethod(customerId, stripePaymentMethodId) {
      try {
        await stripe.customers.update(customerId, {
          invoice_settings: { default_payment_method: stripePaymentMethodId },
        });
      } catch (error) {
        providerFailure(error);
      }
    },

    async createPayment(input) {
      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: toStripeAmount(input.amountMinor),
            currency: input.currency.toLowerCase(),
            customer: input.customerId,
            payment_method: input.stripePaymentMethodId,
            confirm: true,
            description: input.description || undefined,
            metadata: input.metadata,
            ...(input.destinationAccount ? { transfer_data: { destination: input.destinationAccount } } : {}),
          },
          { idempotencyKey: input.idempotencyKey },
        );
        return outcomeOf(intent);
      } catch (error) {
        if (error instanceof Stripe.errors.StripeCardError) {
          return {
            kind: 'declined',
            paymentIntentId: error.payment_intent?.id ?? null,
            code: error.decline_code ?? error.code ?? 'card_declined',
            message: error.message,
          };
        }
        if (error instanceof Stripe.errors.StripeInvalidRequestError) {
          return {
            kind: 'rejected',
            paymentIntentId: error.payment_intent?.id ?? null,
            code: error.code ?? 'invalid_request',
            message: error.message,
            param: error.param ?? null,
          };
        }
        return providerFailure(error);
      }
    },

    async refund(input) {
      try {
        const refund = await stripe.refunds.create(
          {
            payment_intent: input.paymentIntentId,
            amount: toStripeAmount(input.amountMinor),
            reason: input.reason as Stripe.RefundCreateParams.Reason,
            metadata: input.metadata,
            // The charge's amount_refunded, so the answer counts refunds made outside this service too.
            expand: ['charge'],
          },
          { idempotencyKey: input.idempotencyKey },
        );
        const charge = typeof refund.charge === 'object' && refund.charge !== null ? refund.charge : null;
        const status =
          refund.status === 'succeeded'
            ? 'succeeded'
            : refund.status === 'failed' || refund.status === 'canceled'
              ? 'failed'
              : 'pending';
        return {
          stripeRefundId: refund.id,
          status,
          chargeRefundedMinor: charge ? BigInt(charge.amount_refunded) : null,
        };
      } catch (error) {
        if (error instanceof Stripe.errors.StripeInvalidRequestError) {
          throw new DomainError('REFUND_REFUSED', `the provider refused the refund: ${error.message}`, {
            metadata: { code: error.code ?? 'invalid_request' },
          });
        }
        return providerFailure(error);
      }
    },

    verifyWebhook(rawBody, signature) {
      const event = stripe.webhooks.constructEvent(
        rawBody,
        signature,
        options.webhookSecret,
        options.webhookToleranceSeconds,
      );
      return { id: event.id, type: event.type, object: event.data.object as unknown as Record<string, unknown> };
    },
  };
}
