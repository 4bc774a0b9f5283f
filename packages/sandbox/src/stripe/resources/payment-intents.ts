import type { StripeContext } from '../context.js';
import { type StripeApiError, cardError, docUrl, invalidRequest, parameterError, unexpectedState } from '../errors.js';
import { paginate, timestampFilter } from '../list.js';
import { requireCustomer, requirePaymentIntent } from '../lookup.js';
import { formatAmount, minimumChargeAmount } from '../money.js';
import type { Params } from '../params.js';
import type { Route } from '../router.js';
import { AUTHENTICATION_REQUIRED, type Decline } from '../test-cards.js';
import type { PaymentIntent, PaymentIntentStatus, PaymentMethod } from '../types.js';
import { createCharge } from './charges.js';
import { attachPaymentMethod, resolvePaymentMethod, testCardOf } from './payment-methods.js';

/** PaymentIntents whose 3D Secure challenge a test completed (see `completeAuthentication`). */
const authenticated = new WeakSet<PaymentIntent>();
/**
 * PaymentMethods used once without being attached to a customer. Stripe refuses to use them again: a PaymentMethod
 * must be attached to a customer to be reused.
 */
const consumed = new WeakSet<PaymentMethod>();

const CONFIRMABLE: PaymentIntentStatus[] = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const CANCELABLE: PaymentIntentStatus[] = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];

function validateCurrency(input: Params): string {
  const currency = input.requiredString('currency').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) throw parameterError(`Invalid currency: ${currency}.`, 'currency');
  return currency;
}

function validateAmount(amount: number, currency: string): void {
  const minimum = minimumChargeAmount(currency);
  if (amount < minimum) {
    throw parameterError(
      `Amount must be at least ${formatAmount(minimum, currency)} ${currency}`,
      'amount',
      'amount_too_small',
    );
  }
  if (amount > 99999999) {
    throw parameterError('Amount must be no more than $999,999.99', 'amount', 'amount_too_large');
  }
}

/** Stripe's ownership rules between a PaymentIntent's customer and its PaymentMethod. */
function checkPaymentMethodUsable(intent: PaymentIntent, paymentMethod: PaymentMethod): void {
  if (paymentMethod.customer && !intent.customer) {
    throw invalidRequest(
      'The provided PaymentMethod belongs to a Customer, but you did not provide a Customer ID. Please include the Customer ID in the `customer` parameter.',
      { param: 'payment_method' },
    );
  }
  if (paymentMethod.customer && intent.customer && paymentMethod.customer !== intent.customer) {
    throw invalidRequest(
      `The provided PaymentMethod belongs to a different Customer (${paymentMethod.customer}), not ${intent.customer}.`,
      { param: 'payment_method' },
    );
  }
  if (!paymentMethod.customer && consumed.has(paymentMethod)) {
    throw invalidRequest(
      'The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.',
      { param: 'payment_method' },
    );
  }
}

function failPayment(ctx: StripeContext, intent: PaymentIntent, paymentMethod: PaymentMethod, decline: Decline) {
  const charge = createCharge(ctx, intent, paymentMethod, { decline, capture: false });
  intent.latest_charge = charge.id;
  intent.status = 'requires_payment_method';
  intent.next_action = null;
  intent.last_payment_error = {
    type: 'card_error',
    code: decline.code,
    decline_code: decline.declineCode,
    message: decline.message,
    doc_url: docUrl(decline.code),
    charge: charge.id,
    payment_method: structuredClone(paymentMethod),
  };
  ctx.emit('charge.failed', charge);
  ctx.emit('payment_intent.payment_failed', intent);
  return cardError(decline, {
    charge: charge.id,
    payment_intent: structuredClone(intent),
    payment_method: structuredClone(paymentMethod),
  });
}

function succeedPayment(ctx: StripeContext, intent: PaymentIntent, paymentMethod: PaymentMethod): void {
  const manual = intent.capture_method === 'manual';
  const charge = createCharge(ctx, intent, paymentMethod, { capture: !manual });
  intent.latest_charge = charge.id;
  intent.last_payment_error = null;
  intent.next_action = null;
  if (intent.setup_future_usage && intent.customer && !paymentMethod.customer) {
    attachPaymentMethod(ctx, paymentMethod, intent.customer);
  }
  ctx.emit('charge.succeeded', charge);
  if (manual) {
    intent.status = 'requires_capture';
    intent.amount_capturable = intent.amount;
    ctx.emit('payment_intent.amount_capturable_updated', intent);
  } else {
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    ctx.emit('payment_intent.succeeded', intent);
  }
}

export interface ConfirmOptions {
  offSession?: boolean;
  errorOnRequiresAction?: boolean;
  returnUrl?: string;
}

/**
 * Run one payment attempt with the intent's PaymentMethod. Returns the 402 error to raise when the card is declined
 * (the intent is already updated and saved by then), or null.
 */
export function attemptPayment(
  ctx: StripeContext,
  intent: PaymentIntent,
  options: ConfirmOptions,
): StripeApiError | null {
  const paymentMethod = intent.payment_method ? ctx.store.paymentMethods.get(intent.payment_method) : undefined;
  if (!paymentMethod) {
    throw unexpectedState(
      "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent, specify a payment method attached to this customer along with the customer ID.",
    );
  }
  checkPaymentMethodUsable(intent, paymentMethod);
  if (!paymentMethod.customer) consumed.add(paymentMethod);
  const card = testCardOf(paymentMethod);
  if (card.requiresAuthentication && !authenticated.has(intent)) {
    if (options.offSession || options.errorOnRequiresAction) {
      return failPayment(ctx, intent, paymentMethod, AUTHENTICATION_REQUIRED);
    }
    intent.status = 'requires_action';
    intent.next_action = options.returnUrl
      ? {
          type: 'redirect_to_url',
          redirect_to_url: {
            return_url: options.returnUrl,
            url: `https://hooks.stripe.com/3d_secure_2/hosted?payment_intent=${intent.id}`,
          },
        }
      : {
          type: 'use_stripe_sdk',
          use_stripe_sdk: {
            type: 'three_d_secure_redirect',
            stripe_js: `https://hooks.stripe.com/redirect/authenticate/${ctx.random.base62(24)}`,
            source: ctx.id('src'),
          },
        };
    ctx.emit('payment_intent.requires_action', intent);
    return null;
  }
  if (card.decline) return failPayment(ctx, intent, paymentMethod, card.decline);
  succeedPayment(ctx, intent, paymentMethod);
  return null;
}

function setPaymentMethod(ctx: StripeContext, intent: PaymentIntent, input: Params): void {
  const id = input.string('payment_method');
  if (!id) return;
  intent.payment_method = resolvePaymentMethod(ctx, id).id;
  if (intent.status === 'requires_payment_method') intent.status = 'requires_confirmation';
}

function confirmOptions(input: Params): ConfirmOptions {
  const offSession = input.raw.off_session;
  return {
    offSession: offSession === 'true' || offSession === 'one_off' || offSession === 'recurring',
    errorOnRequiresAction: input.bool('error_on_requires_action'),
    returnUrl: input.string('return_url'),
  };
}

function confirm(ctx: StripeContext, intent: PaymentIntent, input: Params): PaymentIntent {
  if (!CONFIRMABLE.includes(intent.status)) {
    throw unexpectedState(
      `You cannot confirm this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
    );
  }
  setPaymentMethod(ctx, intent, input);
  if (input.has('receipt_email')) intent.receipt_email = input.nullableString('receipt_email') ?? null;
  const setupFutureUsage = input.oneOf('setup_future_usage', ['off_session', 'on_session'] as const);
  if (setupFutureUsage) intent.setup_future_usage = setupFutureUsage;
  const error = attemptPayment(ctx, intent, confirmOptions(input));
  if (error) throw error;
  return intent;
}

export function createPaymentIntent(ctx: StripeContext, input: Params): PaymentIntent {
  const amount = input.requiredInt('amount');
  const currency = validateCurrency(input);
  validateAmount(amount, currency);
  const customerId = input.string('customer');
  if (customerId) requireCustomer(ctx, customerId);
  const shouldConfirm = input.bool('confirm') ?? false;
  if (input.has('off_session') && !shouldConfirm) {
    throw parameterError('You may only specify `off_session` when `confirm` is true.', 'off_session');
  }
  if (input.has('return_url') && !shouldConfirm) {
    throw parameterError('You may only specify `return_url` when `confirm` is true.', 'return_url');
  }
  const transferData = input.object('transfer_data');
  const automatic = input.object('automatic_payment_methods');
  const id = ctx.id('pi');
  const intent: PaymentIntent = {
    id,
    object: 'payment_intent',
    amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: input.int('application_fee_amount') ?? null,
    automatic_payment_methods: automatic
      ? {
          allow_redirects: automatic.oneOf('allow_redirects', ['always', 'never'] as const) ?? 'always',
          enabled: automatic.bool('enabled') ?? false,
        }
      : null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method:
      input.oneOf('capture_method', ['automatic', 'automatic_async', 'manual'] as const) ?? 'automatic_async',
    client_secret: `${id}_secret_${ctx.random.base62(25)}`,
    confirmation_method: input.oneOf('confirmation_method', ['automatic', 'manual'] as const) ?? 'automatic',
    created: ctx.now(),
    currency,
    customer: customerId ?? null,
    description: input.string('description') ?? null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: input.metadata(),
    next_action: null,
    on_behalf_of: input.string('on_behalf_of') ?? null,
    payment_method: null,
    payment_method_options: { card: { request_three_d_secure: 'automatic' } },
    payment_method_types: input.stringList('payment_method_types') ?? ['card'],
    processing: null,
    receipt_email: input.string('receipt_email') ?? null,
    review: null,
    setup_future_usage: input.oneOf('setup_future_usage', ['off_session', 'on_session'] as const) ?? null,
    shipping: null,
    statement_descriptor: input.string('statement_descriptor') ?? null,
    statement_descriptor_suffix: input.string('statement_descriptor_suffix') ?? null,
    status: 'requires_payment_method',
    transfer_data: transferData
      ? {
          destination: transferData.requiredString('destination'),
          ...(transferData.has('amount') ? { amount: transferData.requiredInt('amount') } : {}),
        }
      : null,
    transfer_group: input.string('transfer_group') ?? null,
  };
  setPaymentMethod(ctx, intent, input);
  ctx.store.paymentIntents.insert(intent);
  ctx.emit('payment_intent.created', intent);
  if (shouldConfirm) {
    const error = attemptPayment(ctx, intent, confirmOptions(input));
    if (error) throw error;
  }
  return intent;
}

function update(ctx: StripeContext, intent: PaymentIntent, input: Params): PaymentIntent {
  const final = intent.status === 'succeeded' || intent.status === 'canceled';
  const changesPayment = ['amount', 'currency', 'customer', 'payment_method', 'capture_method'].some((key) =>
    input.has(key),
  );
  if (final && changesPayment) {
    throw unexpectedState(
      `This PaymentIntent's ${['amount', 'currency', 'customer', 'payment_method', 'capture_method'].find((key) => input.has(key))} could not be updated because it has a status of ${intent.status}. You may only update the amount of a PaymentIntent with one of the following statuses: requires_payment_method, requires_confirmation, requires_action.`,
    );
  }
  const before = structuredClone(intent);
  const amount = input.int('amount');
  if (input.has('currency')) intent.currency = validateCurrency(input);
  if (amount !== undefined) {
    validateAmount(amount, intent.currency);
    intent.amount = amount;
  }
  const customerId = input.string('customer');
  if (customerId) intent.customer = requireCustomer(ctx, customerId).id;
  if (input.has('description')) intent.description = input.nullableString('description') ?? null;
  if (input.has('receipt_email')) intent.receipt_email = input.nullableString('receipt_email') ?? null;
  intent.capture_method =
    input.oneOf('capture_method', ['automatic', 'automatic_async', 'manual'] as const) ?? intent.capture_method;
  intent.metadata = input.metadata(intent.metadata);
  setPaymentMethod(ctx, intent, input);
  const previous: Record<string, unknown> = {};
  for (const key of Object.keys(intent) as Array<keyof PaymentIntent>) {
    if (JSON.stringify(intent[key]) !== JSON.stringify(before[key])) previous[key] = before[key];
  }
  ctx.emit('payment_intent.updated', intent, previous);
  return intent;
}

function capture(ctx: StripeContext, intent: PaymentIntent, input: Params): PaymentIntent {
  if (intent.status !== 'requires_capture') {
    throw unexpectedState(
      `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
    );
  }
  const amount = input.int('amount_to_capture') ?? intent.amount_capturable;
  if (amount > intent.amount_capturable || amount < 0) {
    throw parameterError(
      `The amount_to_capture (${formatAmount(amount, intent.currency)}) must be less than or equal to the amount_capturable (${formatAmount(intent.amount_capturable, intent.currency)}).`,
      'amount_to_capture',
      'amount_too_large',
    );
  }
  const charge = intent.latest_charge ? ctx.store.charges.get(intent.latest_charge) : undefined;
  if (!charge) throw new Error(`payment intent ${intent.id} has no charge to capture`);
  // "Any additional amount is automatically refunded" (capture's amount_to_capture, Stripe API reference).
  charge.captured = true;
  charge.amount_captured = amount;
  charge.amount_refunded = charge.amount - amount;
  charge.refunded = amount === 0;
  charge.balance_transaction = ctx.id('txn');
  intent.amount_received = amount;
  intent.amount_capturable = 0;
  intent.status = 'succeeded';
  intent.metadata = input.metadata(intent.metadata);
  if (input.has('application_fee_amount')) intent.application_fee_amount = input.int('application_fee_amount') ?? null;
  ctx.emit('charge.captured', charge);
  ctx.emit('payment_intent.succeeded', intent);
  return intent;
}

function cancel(ctx: StripeContext, intent: PaymentIntent, input: Params): PaymentIntent {
  if (!CANCELABLE.includes(intent.status)) {
    throw unexpectedState(
      `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
    );
  }
  const reason = input.oneOf('cancellation_reason', [
    'duplicate',
    'fraudulent',
    'requested_by_customer',
    'abandoned',
  ] as const);
  if (intent.status === 'requires_capture' && intent.latest_charge) {
    // Canceling an authorized payment releases the hold: the uncaptured charge ends fully refunded.
    const charge = ctx.store.charges.get(intent.latest_charge);
    if (charge) {
      charge.amount_refunded = charge.amount;
      charge.refunded = true;
    }
  }
  intent.status = 'canceled';
  intent.canceled_at = ctx.now();
  intent.cancellation_reason = reason ?? null;
  intent.amount_capturable = 0;
  intent.next_action = null;
  ctx.emit('payment_intent.canceled', intent);
  return intent;
}

/**
 * Finish the 3D Secure challenge of a PaymentIntent in requires_action, as a customer would in the browser: on
 * success the payment proceeds (succeeded or requires_capture), on failure the intent returns to
 * requires_payment_method with `payment_intent_authentication_failure`.
 */
export function completeAuthentication(
  ctx: StripeContext,
  intentId: string,
  outcome: 'succeed' | 'fail',
): PaymentIntent {
  const intent = requirePaymentIntent(ctx, intentId);
  if (intent.status !== 'requires_action') {
    throw unexpectedState(`This PaymentIntent has a status of ${intent.status}, not requires_action.`);
  }
  const paymentMethod = intent.payment_method ? ctx.store.paymentMethods.get(intent.payment_method) : undefined;
  if (!paymentMethod) throw new Error(`payment intent ${intent.id} has no payment method`);
  if (outcome === 'succeed') {
    authenticated.add(intent);
    succeedPayment(ctx, intent, paymentMethod);
    return intent;
  }
  intent.status = 'requires_payment_method';
  intent.next_action = null;
  intent.last_payment_error = {
    type: 'invalid_request_error',
    code: 'payment_intent_authentication_failure',
    message:
      'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
    doc_url: docUrl('payment_intent_authentication_failure'),
    payment_method: structuredClone(paymentMethod),
  };
  ctx.emit('payment_intent.payment_failed', intent);
  return intent;
}

function list(ctx: StripeContext, input: Params) {
  const customer = input.string('customer');
  const created = timestampFilter(input);
  const items = ctx.store.paymentIntents
    .all()
    .filter((intent) => (!customer || intent.customer === customer) && created(intent.created));
  return paginate(items, input, '/v1/payment_intents');
}

const byId = (ctx: StripeContext, id: string | undefined) => requirePaymentIntent(ctx, id ?? '');

export const paymentIntentRoutes: Route[] = [
  { method: 'POST', path: '/v1/payment_intents', handler: (ctx, { input }) => createPaymentIntent(ctx, input) },
  { method: 'GET', path: '/v1/payment_intents', handler: (ctx, { input }) => list(ctx, input) },
  { method: 'GET', path: '/v1/payment_intents/:id', handler: (ctx, { path }) => byId(ctx, path.id) },
  {
    method: 'POST',
    path: '/v1/payment_intents/:id',
    handler: (ctx, { path, input }) => update(ctx, byId(ctx, path.id), input),
  },
  {
    method: 'POST',
    path: '/v1/payment_intents/:id/confirm',
    handler: (ctx, { path, input }) => confirm(ctx, byId(ctx, path.id), input),
  },
  {
    method: 'POST',
    path: '/v1/payment_intents/:id/capture',
    handler: (ctx, { path, input }) => capture(ctx, byId(ctx, path.id), input),
  },
  {
    method: 'POST',
    path: '/v1/payment_intents/:id/cancel',
    handler: (ctx, { path, input }) => cancel(ctx, byId(ctx, path.id), input),
  },
];
