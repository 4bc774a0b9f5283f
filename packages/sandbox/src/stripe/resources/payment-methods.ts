import { createHash } from 'node:crypto';
import type { StripeContext } from '../context.js';
import { cardError, invalidRequest, parameterError, resourceMissing } from '../errors.js';
import { paginate } from '../list.js';
import { requireCustomer } from '../lookup.js';
import type { Params } from '../params.js';
import type { Route } from '../router.js';
import { testCardByNumber, testCardByToken, type TestCard } from '../test-cards.js';
import type { Store } from '../store.js';
import type { PaymentMethod } from '../types.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The test card each PaymentMethod was made from, which decides how payments with it behave. */
const cardOf = new WeakMap<PaymentMethod, TestCard>();

export function testCardOf(paymentMethod: PaymentMethod): TestCard {
  const card = cardOf.get(paymentMethod);
  if (!card) throw new Error(`payment method ${paymentMethod.id} has no test card`);
  return card;
}

/** The test card number behind each PaymentMethod, for a snapshot (the card itself is found again by number). */
export function testCardNumbers(store: Store): Array<[string, string]> {
  return store.paymentMethods.all().flatMap((paymentMethod): Array<[string, string]> => {
    const card = cardOf.get(paymentMethod);
    return card ? [[paymentMethod.id, card.number]] : [];
  });
}

/** Ties restored PaymentMethods to their test cards again. */
export function restoreTestCards(store: Store, numbers: ReadonlyArray<readonly [string, string]>): void {
  for (const [id, number] of numbers) {
    const paymentMethod = store.paymentMethods.get(id);
    const card = testCardByNumber(number);
    if (paymentMethod && card) cardOf.set(paymentMethod, card);
  }
}

/** Stable per card number within a seed, as Stripe's fingerprint is stable per number within an account. */
function fingerprint(seed: string, number: string): string {
  const digest = createHash('sha256').update(`${seed}\u0000${number}`).digest();
  return [...digest.subarray(0, 16)].map((byte) => BASE62[byte % 62]).join('');
}

function billingDetails(input: Params | undefined, current?: PaymentMethod['billing_details']) {
  const details = current ?? { address: null, email: null, name: null, phone: null };
  if (!input) return details;
  return {
    address: null,
    email: input.has('email') ? (input.nullableString('email') ?? null) : details.email,
    name: input.has('name') ? (input.nullableString('name') ?? null) : details.name,
    phone: input.has('phone') ? (input.nullableString('phone') ?? null) : details.phone,
  };
}

export function createPaymentMethodFromCard(
  ctx: StripeContext,
  card: TestCard,
  options: { expMonth?: number; expYear?: number; billing?: Params; metadata?: Record<string, string> } = {},
): PaymentMethod {
  const year = ctx.clock.now().getUTCFullYear();
  const paymentMethod: PaymentMethod = {
    id: ctx.id('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: billingDetails(options.billing),
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: card.country,
      display_brand: card.brand === 'amex' ? 'american_express' : card.brand,
      exp_month: options.expMonth ?? 12,
      exp_year: options.expYear ?? year + 3,
      fingerprint: fingerprint(ctx.seed, card.number),
      funding: card.funding,
      last4: card.number.slice(-4),
      networks: { available: [card.brand], preferred: null },
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: ctx.now(),
    customer: null,
    livemode: false,
    metadata: options.metadata ?? {},
    type: 'card',
  };
  cardOf.set(paymentMethod, card);
  return ctx.store.paymentMethods.insert(paymentMethod);
}

/**
 * A PaymentMethod id, or a test token such as `pm_card_visa`: Stripe turns each use of a token into a fresh
 * PaymentMethod with its own id.
 */
export function resolvePaymentMethod(ctx: StripeContext, idOrToken: string, param = 'payment_method'): PaymentMethod {
  const card = testCardByToken(idOrToken);
  if (card) return createPaymentMethodFromCard(ctx, card);
  const paymentMethod = ctx.store.paymentMethods.get(idOrToken);
  if (!paymentMethod) throw resourceMissing('PaymentMethod', idOrToken, param);
  return paymentMethod;
}

export function attachPaymentMethod(ctx: StripeContext, paymentMethod: PaymentMethod, customerId: string): void {
  if (paymentMethod.customer === customerId) return;
  if (paymentMethod.customer !== null) {
    throw invalidRequest('The payment method you provided has already been attached to a customer.', {
      param: 'payment_method',
    });
  }
  const decline = testCardOf(paymentMethod).decline;
  if (decline?.failsOnAttach) {
    throw cardError(decline, { param: '' });
  }
  paymentMethod.customer = customerId;
  ctx.emit('payment_method.attached', paymentMethod);
}

function create(ctx: StripeContext, input: Params): PaymentMethod {
  const type = input.requiredString('type');
  if (type !== 'card') {
    throw parameterError(`The payment method type "${type}" is not supported by this sandbox.`, 'type');
  }
  const card = input.object('card');
  if (!card) throw parameterError('Missing required param: card.', 'card', 'parameter_missing');
  const token = card.string('token');
  const number = card.string('number');
  const testCard = token ? testCardByToken(token) : number ? testCardByNumber(number) : undefined;
  if (!testCard) {
    if (token) throw resourceMissing('token', token, 'card[token]');
    if (number)
      throw cardError(
        { code: 'incorrect_number', declineCode: 'incorrect_number', message: 'Your card number is incorrect.' },
        { param: 'card[number]' },
      );
    throw parameterError('Missing required param: card[token].', 'card[token]', 'parameter_missing');
  }
  return createPaymentMethodFromCard(ctx, testCard, {
    expMonth: card.int('exp_month'),
    expYear: card.int('exp_year'),
    billing: input.object('billing_details'),
    metadata: input.metadata(),
  });
}

function retrieve(ctx: StripeContext, id: string): PaymentMethod {
  const paymentMethod = ctx.store.paymentMethods.get(id);
  if (!paymentMethod) throw resourceMissing('PaymentMethod', id, 'payment_method');
  return paymentMethod;
}

export function listPaymentMethods(ctx: StripeContext, input: Params, customerId: string | undefined, url: string) {
  if (customerId) requireCustomer(ctx, customerId);
  const type = input.string('type');
  const items = ctx.store.paymentMethods
    .all()
    .filter((pm) => (customerId ? pm.customer === customerId : pm.customer !== null) && (!type || pm.type === type));
  return paginate(items, input, url);
}

export const paymentMethodRoutes: Route[] = [
  { method: 'POST', path: '/v1/payment_methods', handler: (ctx, { input }) => create(ctx, input) },
  { method: 'GET', path: '/v1/payment_methods/:id', handler: (ctx, { path }) => retrieve(ctx, path.id ?? '') },
  {
    method: 'POST',
    path: '/v1/payment_methods/:id',
    handler(ctx, { path, input }) {
      const paymentMethod = retrieve(ctx, path.id ?? '');
      const previous = { metadata: paymentMethod.metadata, billing_details: paymentMethod.billing_details };
      paymentMethod.metadata = input.metadata(paymentMethod.metadata);
      paymentMethod.billing_details = billingDetails(input.object('billing_details'), paymentMethod.billing_details);
      const card = input.object('card');
      if (card) {
        paymentMethod.card.exp_month = card.int('exp_month') ?? paymentMethod.card.exp_month;
        paymentMethod.card.exp_year = card.int('exp_year') ?? paymentMethod.card.exp_year;
      }
      ctx.emit('payment_method.updated', paymentMethod, previous);
      return paymentMethod;
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_methods/:id/attach',
    handler(ctx, { path, input }) {
      const customer = requireCustomer(ctx, input.requiredString('customer'));
      const paymentMethod = resolvePaymentMethod(ctx, path.id ?? '', 'payment_method');
      attachPaymentMethod(ctx, paymentMethod, customer.id);
      return paymentMethod;
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_methods/:id/detach',
    handler(ctx, { path }) {
      const paymentMethod = retrieve(ctx, path.id ?? '');
      if (!paymentMethod.customer) {
        throw invalidRequest(
          'The payment method you provided is not attached to a customer so detachment is impossible.',
          { param: 'payment_method' },
        );
      }
      const customer = ctx.store.customers.get(paymentMethod.customer);
      if (customer?.invoice_settings.default_payment_method === paymentMethod.id) {
        customer.invoice_settings.default_payment_method = null;
      }
      const previous = { customer: paymentMethod.customer };
      paymentMethod.customer = null;
      ctx.emit('payment_method.detached', paymentMethod, previous);
      return paymentMethod;
    },
  },
  {
    method: 'GET',
    path: '/v1/payment_methods',
    handler: (ctx, { input }) => listPaymentMethods(ctx, input, input.string('customer'), '/v1/payment_methods'),
  },
];
