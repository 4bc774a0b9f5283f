import type { StripeContext } from '../context.js';
import { cardError, docUrl, resourceMissing, unexpectedState } from '../errors.js';
import { paginate, timestampFilter } from '../list.js';
import { requireCustomer } from '../lookup.js';
import type { Params } from '../params.js';
import type { Route } from '../router.js';
import type { SetupIntent } from '../types.js';
import { attachPaymentMethod, resolvePaymentMethod, testCardOf } from './payment-methods.js';

const CONFIRMABLE: Array<SetupIntent['status']> = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
];

function retrieve(ctx: StripeContext, id: string): SetupIntent {
  const intent = ctx.store.setupIntents.get(id);
  if (!intent) throw resourceMissing('setupintent', id, 'intent');
  return intent;
}

function setPaymentMethod(ctx: StripeContext, intent: SetupIntent, input: Params): void {
  const id = input.string('payment_method');
  if (!id) return;
  intent.payment_method = resolvePaymentMethod(ctx, id).id;
  if (intent.status === 'requires_payment_method') intent.status = 'requires_confirmation';
}

/** Card validation of a SetupIntent: 3D Secure cards ask for authentication, declining cards fail, others attach. */
function confirmSetup(ctx: StripeContext, intent: SetupIntent, returnUrl: string | undefined): SetupIntent {
  const paymentMethod = intent.payment_method ? ctx.store.paymentMethods.get(intent.payment_method) : undefined;
  if (!paymentMethod) {
    throw unexpectedState(
      "You cannot confirm this SetupIntent because it's missing a payment method. Update the SetupIntent with a payment method and then confirm it again.",
      'setup_intent_unexpected_state',
    );
  }
  const card = testCardOf(paymentMethod);
  if (card.requiresAuthentication) {
    intent.status = 'requires_action';
    intent.next_action = returnUrl
      ? {
          type: 'redirect_to_url',
          redirect_to_url: {
            return_url: returnUrl,
            url: `https://hooks.stripe.com/3d_secure_2/hosted?setup_intent=${intent.id}`,
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
    ctx.emit('setup_intent.requires_action', intent);
    return intent;
  }
  if (card.decline?.failsOnAttach) {
    const decline = card.decline;
    intent.status = 'requires_payment_method';
    intent.last_setup_error = {
      type: 'card_error',
      code: decline.code,
      decline_code: decline.declineCode,
      message: decline.message,
      doc_url: docUrl(decline.code),
      payment_method: structuredClone(paymentMethod),
    };
    ctx.emit('setup_intent.setup_failed', intent);
    throw cardError(decline, { setup_intent: structuredClone(intent), payment_method: structuredClone(paymentMethod) });
  }
  if (intent.customer) attachPaymentMethod(ctx, paymentMethod, intent.customer);
  intent.status = 'succeeded';
  intent.last_setup_error = null;
  intent.next_action = null;
  ctx.emit('setup_intent.succeeded', intent);
  return intent;
}

function create(ctx: StripeContext, input: Params): SetupIntent {
  const customerId = input.string('customer');
  if (customerId) requireCustomer(ctx, customerId);
  const id = ctx.id('seti');
  const intent: SetupIntent = {
    id,
    object: 'setup_intent',
    application: null,
    cancellation_reason: null,
    client_secret: `${id}_secret_${ctx.random.base62(32)}`,
    created: ctx.now(),
    customer: customerId ?? null,
    description: input.string('description') ?? null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata: input.metadata(),
    next_action: null,
    on_behalf_of: input.string('on_behalf_of') ?? null,
    payment_method: null,
    payment_method_types: input.stringList('payment_method_types') ?? ['card'],
    single_use_mandate: null,
    status: 'requires_payment_method',
    usage: input.oneOf('usage', ['off_session', 'on_session'] as const) ?? 'off_session',
  };
  setPaymentMethod(ctx, intent, input);
  ctx.store.setupIntents.insert(intent);
  ctx.emit('setup_intent.created', intent);
  if (input.bool('confirm')) return confirmSetup(ctx, intent, input.string('return_url'));
  return intent;
}

export const setupIntentRoutes: Route[] = [
  { method: 'POST', path: '/v1/setup_intents', handler: (ctx, { input }) => create(ctx, input) },
  { method: 'GET', path: '/v1/setup_intents/:id', handler: (ctx, { path }) => retrieve(ctx, path.id ?? '') },
  {
    method: 'POST',
    path: '/v1/setup_intents/:id',
    handler(ctx, { path, input }) {
      const intent = retrieve(ctx, path.id ?? '');
      intent.metadata = input.metadata(intent.metadata);
      if (input.has('description')) intent.description = input.nullableString('description') ?? null;
      setPaymentMethod(ctx, intent, input);
      return intent;
    },
  },
  {
    method: 'POST',
    path: '/v1/setup_intents/:id/confirm',
    handler(ctx, { path, input }) {
      const intent = retrieve(ctx, path.id ?? '');
      if (!CONFIRMABLE.includes(intent.status)) {
        throw unexpectedState(
          `You cannot confirm this SetupIntent because it has a status of ${intent.status}.`,
          'setup_intent_unexpected_state',
        );
      }
      setPaymentMethod(ctx, intent, input);
      return confirmSetup(ctx, intent, input.string('return_url'));
    },
  },
  {
    method: 'POST',
    path: '/v1/setup_intents/:id/cancel',
    handler(ctx, { path, input }) {
      const intent = retrieve(ctx, path.id ?? '');
      if (intent.status === 'succeeded' || intent.status === 'canceled') {
        throw unexpectedState(
          `You cannot cancel this SetupIntent because it has a status of ${intent.status}.`,
          'setup_intent_unexpected_state',
        );
      }
      intent.status = 'canceled';
      intent.cancellation_reason =
        input.oneOf('cancellation_reason', ['abandoned', 'duplicate', 'requested_by_customer'] as const) ?? null;
      ctx.emit('setup_intent.canceled', intent);
      return intent;
    },
  },
  {
    method: 'GET',
    path: '/v1/setup_intents',
    handler(ctx, { input }) {
      const customer = input.string('customer');
      const created = timestampFilter(input);
      const items = ctx.store.setupIntents
        .all()
        .filter((intent) => (!customer || intent.customer === customer) && created(intent.created));
      return paginate(items, input, '/v1/setup_intents');
    },
  },
];
