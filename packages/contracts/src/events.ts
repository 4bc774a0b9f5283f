import { z } from 'zod';

/**
 * Subjects of the fleet's domain events: `fintech.<domain>.<entity>.<past-tense-verb>`, one JetStream stream per
 * domain. Payload schemas below are what consumers may rely on; personal data never travels in events.
 */
export const subjects = {
  auth: {
    userSignedIn: 'fintech.auth.user.signed_in',
    userSignInFailed: 'fintech.auth.user.sign_in_failed',
    userProfileUpdated: 'fintech.auth.user.profile_updated',
    sessionRevoked: 'fintech.auth.session.revoked',
  },
  payments: {
    paymentCreated: 'fintech.payments.payment.created',
    paymentSucceeded: 'fintech.payments.payment.succeeded',
    paymentFailed: 'fintech.payments.payment.failed',
    paymentDisputed: 'fintech.payments.payment.disputed',
    refundCreated: 'fintech.payments.refund.created',
    methodAdded: 'fintech.payments.method.added',
  },
} as const;

/** The stream of each domain and the subjects it holds. */
export const streams = {
  auth: { name: 'FINTECH_AUTH', subjects: ['fintech.auth.>'] },
  payments: { name: 'FINTECH_PAYMENTS', subjects: ['fintech.payments.>'] },
} as const;

/** Where a call came from, as far as the gateway knows it (fraud scanning uses it). */
export const clientInfoSchema = z.object({
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
});

export const userSignedInSchema = z.object({
  user_id: z.string(),
  mfa: z.boolean(),
  client: clientInfoSchema,
});

export const userSignInFailedSchema = z.object({
  /** Null when the email matched no user. */
  user_id: z.string().nullable(),
  reason: z.enum(['invalid_credentials', 'locked', 'invalid_mfa_code', 'unknown_user']),
  failed_attempts: z.number().int(),
  locked_until: z.string().nullable(),
  client: clientInfoSchema,
});

export const userProfileUpdatedSchema = z.object({
  user_id: z.string(),
  /** Names of the changed fields, never their values. */
  updated_fields: z.array(z.string()),
  updated_by: z.string(),
});

/**
 * A sign-in's session was revoked: its refresh tokens no longer work and its access tokens (claim `sid` =
 * `session_id`) must be refused. Every gateway replica acts on it, so the tokens stop within seconds rather than
 * when they expire.
 */
export const sessionRevokedSchema = z.object({
  user_id: z.string(),
  session_id: z.string(),
  /** `refresh_token_reused`: a spent refresh token was presented again (RFC 9700 §4.14.2), so it may have leaked. */
  reason: z.enum(['refresh_token_reused']),
  revoked_at: z.string(),
  /** RFC 3339 UTC: every access token of the session has expired by then, so the revocation may be forgotten. */
  access_tokens_expire_by: z.string(),
});

/** An amount in integer minor units as an int64 decimal string (never a JSON number), e.g. "1250" for 12.50 USD. */
const minorUnitsSchema = z.string().regex(/^(?:0|-?[1-9][0-9]*)$/);

/** Who receives a payment: another user of the platform or a registered merchant. */
export const payeeSchema = z.object({
  type: z.enum(['user', 'merchant']),
  id: z.string(),
});

/** The card a payment is charged to: provider fingerprint, brand and last four digits only, never a card number. */
export const paymentMethodRefSchema = z.object({
  method_id: z.string(),
  fingerprint: z.string(),
  brand: z.string(),
  last4: z.string(),
});

const paymentFields = {
  payment_id: z.string(),
  user_id: z.string(),
  amount_minor: minorUnitsSchema,
  currency: z.string().length(3),
  counterparty: payeeSchema,
  method: paymentMethodRefSchema,
  /** The provider's PaymentIntent id, once known. */
  provider_payment_id: z.string().nullable(),
  /** Where the call came from; null when the change came from a provider webhook. */
  client: clientInfoSchema.nullable(),
};

/** A payment was recorded and is about to be sent to the provider (fraud scanning sees every attempt). */
export const paymentCreatedSchema = z.object({ ...paymentFields, description: z.string() });

export const paymentSucceededSchema = z.object(paymentFields);

export const paymentFailedSchema = z.object({
  ...paymentFields,
  failure_code: z.string(),
  failure_message: z.string(),
});

/** A chargeback was opened on a payment. */
export const paymentDisputedSchema = z.object({
  ...paymentFields,
  dispute_reason: z.string(),
  disputed_amount_minor: minorUnitsSchema,
});

export const refundCreatedSchema = z.object({
  refund_id: z.string(),
  payment_id: z.string(),
  user_id: z.string(),
  amount_minor: minorUnitsSchema,
  currency: z.string().length(3),
  /** Everything refunded on the payment so far, this refund included. */
  total_refunded_minor: minorUnitsSchema,
  reason: z.string(),
  status: z.string(),
  counterparty: payeeSchema,
  provider_refund_id: z.string().nullable(),
  client: clientInfoSchema.nullable(),
});

export const methodAddedSchema = z.object({
  method_id: z.string(),
  user_id: z.string(),
  fingerprint: z.string(),
  brand: z.string(),
  last4: z.string(),
  exp_month: z.number().int(),
  exp_year: z.number().int(),
  is_default: z.boolean(),
  /** Whether a second factor was checked before the method was added. */
  step_up_verified: z.boolean(),
  client: clientInfoSchema.nullable(),
});

export type ClientInfo = z.infer<typeof clientInfoSchema>;
export type UserSignedIn = z.infer<typeof userSignedInSchema>;
export type UserSignInFailed = z.infer<typeof userSignInFailedSchema>;
export type UserProfileUpdated = z.infer<typeof userProfileUpdatedSchema>;
export type SessionRevoked = z.infer<typeof sessionRevokedSchema>;
export type Payee = z.infer<typeof payeeSchema>;
export type PaymentMethodRef = z.infer<typeof paymentMethodRefSchema>;
export type PaymentCreated = z.infer<typeof paymentCreatedSchema>;
export type PaymentSucceeded = z.infer<typeof paymentSucceededSchema>;
export type PaymentFailed = z.infer<typeof paymentFailedSchema>;
export type PaymentDisputed = z.infer<typeof paymentDisputedSchema>;
export type RefundCreated = z.infer<typeof refundCreatedSchema>;
export type MethodAdded = z.infer<typeof methodAddedSchema>;
