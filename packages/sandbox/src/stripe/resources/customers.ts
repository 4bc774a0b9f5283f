import type { StripeContext } from '../context.js';
import { StripeApiError } from '../errors.js';
import { paginate, timestampFilter } from '../list.js';
import { requireCustomer } from '../lookup.js';
import type { Params } from '../params.js';
import type { Route } from '../router.js';
import type { Customer, DeletedObject } from '../types.js';
import { attachPaymentMethod, listPaymentMethods, resolvePaymentMethod } from './payment-methods.js';
import { cancelSubscriptionNow } from './subscriptions.js';

function setDefaultPaymentMethod(ctx: StripeContext, customer: Customer, input: Params): void {
  const settings = input.object('invoice_settings');
  if (!settings?.has('default_payment_method')) return;
  const id = settings.nullableString('default_payment_method');
  if (!id) {
    customer.invoice_settings.default_payment_method = null;
    return;
  }
  const paymentMethod = ctx.store.paymentMethods.get(id);
  if (!paymentMethod || paymentMethod.customer !== customer.id) {
    throw new StripeApiError(400, {
      type: 'invalid_request_error',
      code: 'resource_missing',
      message: `No such PaymentMethod: '${id}'; It's possible this PaymentMethod exists on one of your connected accounts, in which case you should retry this request on that connected account. The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`,
      param: 'invoice_settings[default_payment_method]',
      doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
    });
  }
  customer.invoice_settings.default_payment_method = id;
}

function writableFields(customer: Customer, input: Params): void {
  for (const key of ['email', 'name', 'description', 'phone'] as const) {
    if (input.has(key)) customer[key] = input.nullableString(key) ?? null;
  }
  customer.metadata = input.metadata(customer.metadata);
}

function create(ctx: StripeContext, input: Params): Customer {
  const id = ctx.id('cus', 14);
  const customer: Customer = {
    id,
    object: 'customer',
    address: null,
    balance: input.int('balance') ?? 0,
    created: ctx.now(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: null,
    email: null,
    invoice_prefix: id.slice(4, 12).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: {},
    name: null,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: input.stringList('preferred_locales') ?? [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
  writableFields(customer, input);
  ctx.store.customers.insert(customer);
  const paymentMethodId = input.string('payment_method');
  if (paymentMethodId) {
    const paymentMethod = resolvePaymentMethod(ctx, paymentMethodId);
    attachPaymentMethod(ctx, paymentMethod, customer.id);
  }
  setDefaultPaymentMethod(ctx, customer, input);
  ctx.emit('customer.created', customer);
  return customer;
}

function retrieve(ctx: StripeContext, id: string): Customer | DeletedObject {
  if (ctx.store.deleted.get(id) === 'customer') return { id, object: 'customer', deleted: true };
  return requireCustomer(ctx, id, 'id');
}

function update(ctx: StripeContext, id: string, input: Params): Customer {
  const customer = requireCustomer(ctx, id, 'id');
  const before = structuredClone(customer);
  writableFields(customer, input);
  setDefaultPaymentMethod(ctx, customer, input);
  const previous: Record<string, unknown> = {};
  for (const key of Object.keys(customer) as Array<keyof Customer>) {
    if (JSON.stringify(customer[key]) !== JSON.stringify(before[key])) previous[key] = before[key];
  }
  if (Object.keys(previous).length > 0) ctx.emit('customer.updated', customer, previous);
  return customer;
}

/** Deleting a customer cancels its subscriptions and detaches its payment methods, as Stripe does. */
function remove(ctx: StripeContext, id: string): DeletedObject {
  const customer = requireCustomer(ctx, id, 'id');
  for (const subscription of ctx.store.subscriptions.all()) {
    if (subscription.customer === id && subscription.status !== 'canceled') cancelSubscriptionNow(ctx, subscription);
  }
  for (const paymentMethod of ctx.store.paymentMethods.all()) {
    if (paymentMethod.customer === id) paymentMethod.customer = null;
  }
  ctx.store.customers.delete(id);
  ctx.store.deleted.set(id, 'customer');
  ctx.emit('customer.deleted', customer);
  return { id, object: 'customer', deleted: true };
}

function list(ctx: StripeContext, input: Params) {
  const email = input.string('email');
  const created = timestampFilter(input);
  const items = ctx.store.customers.all().filter((c) => (!email || c.email === email) && created(c.created));
  return paginate(items, input, '/v1/customers');
}

export const customerRoutes: Route[] = [
  { method: 'POST', path: '/v1/customers', handler: (ctx, { input }) => create(ctx, input) },
  { method: 'GET', path: '/v1/customers', handler: (ctx, { input }) => list(ctx, input) },
  { method: 'GET', path: '/v1/customers/:id', handler: (ctx, { path }) => retrieve(ctx, path.id ?? '') },
  { method: 'POST', path: '/v1/customers/:id', handler: (ctx, { path, input }) => update(ctx, path.id ?? '', input) },
  { method: 'DELETE', path: '/v1/customers/:id', handler: (ctx, { path }) => remove(ctx, path.id ?? '') },
  {
    method: 'GET',
    path: '/v1/customers/:id/payment_methods',
    handler: (ctx, { path, input }) =>
      listPaymentMethods(ctx, input, path.id ?? '', `/v1/customers/${path.id ?? ''}/payment_methods`),
  },
];
