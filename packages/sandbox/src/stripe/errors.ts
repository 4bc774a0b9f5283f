/** Stripe's error object, as documented at https://docs.stripe.com/api/errors. */
export interface StripeErrorBody {
  type: 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: unknown;
  payment_method?: unknown;
  setup_intent?: unknown;
  request_log_url?: string;
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    /**
     * Stripe saves the result of an idempotent request only once the endpoint starts executing: a request rejected
     * by parameter validation can be retried with the same key and other parameters.
     */
    readonly savedForIdempotency = true,
    /** Extra response headers, such as `Stripe-Should-Retry`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
    this.name = 'StripeApiError';
  }
}

export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

interface ErrorDetails {
  code?: string;
  param?: string;
}

function withCode(body: StripeErrorBody, code: string | undefined): StripeErrorBody {
  return code ? { ...body, code, doc_url: docUrl(code) } : body;
}

/** A 400 raised while executing the request (the state of an object forbids it). */
export function invalidRequest(message: string, details: ErrorDetails = {}): StripeApiError {
  const body = withCode({ type: 'invalid_request_error', message, param: details.param }, details.code);
  return new StripeApiError(400, body);
}

/** A 400 raised by parameter validation, before the endpoint runs. */
export function parameterError(message: string, param: string, code?: string): StripeApiError {
  return new StripeApiError(400, withCode({ type: 'invalid_request_error', message, param }, code), false);
}

export function missingParam(param: string): StripeApiError {
  return parameterError(`Missing required param: ${param}.`, param, 'parameter_missing');
}

/** Stripe's 404: `No such customer: 'cus_123'`. */
export function resourceMissing(resource: string, id: string, param = 'id'): StripeApiError {
  const body = withCode(
    { type: 'invalid_request_error', message: `No such ${resource}: '${id}'`, param },
    'resource_missing',
  );
  return new StripeApiError(404, body);
}

export function unexpectedState(message: string, code = 'payment_intent_unexpected_state'): StripeApiError {
  return new StripeApiError(400, withCode({ type: 'invalid_request_error', message }, code));
}

/** A 402: the card was declined. `extra` carries the objects Stripe attaches (payment_intent, setup_intent…). */
export function cardError(
  decline: { code: string; declineCode: string; message: string },
  extra: Partial<StripeErrorBody> = {},
): StripeApiError {
  return new StripeApiError(402, {
    type: 'card_error',
    code: decline.code,
    decline_code: decline.declineCode,
    message: decline.message,
    doc_url: docUrl(decline.code),
    ...extra,
  });
}
