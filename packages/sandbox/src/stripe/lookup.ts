import type { StripeContext } from './context.js';
import { resourceMissing } from './errors.js';
import type { Charge, Customer, Invoice, PaymentIntent, Price, Product, Subscription } from './types.js';

/** Fetchers that answer Stripe's 404 (`No such customer: 'cus_…'`, with the parameter at fault). */

export function requireCustomer(ctx: StripeContext, id: string, param = 'customer'): Customer {
  const customer = ctx.store.customers.get(id);
  if (!customer) throw resourceMissing('customer', id, param);
  return customer;
}

export function requirePaymentIntent(ctx: StripeContext, id: string, param = 'intent'): PaymentIntent {
  const intent = ctx.store.paymentIntents.get(id);
  if (!intent) throw resourceMissing('payment_intent', id, param);
  return intent;
}

export function requireCharge(ctx: StripeContext, id: string, param = 'charge'): Charge {
  const charge = ctx.store.charges.get(id);
  if (!charge) throw resourceMissing('charge', id, param);
  return charge;
}

export function requireProduct(ctx: StripeContext, id: string, param = 'product'): Product {
  const product = ctx.store.products.get(id);
  if (!product) throw resourceMissing('product', id, param);
  return product;
}

export function requirePrice(ctx: StripeContext, id: string, param = 'price'): Price {
  const price = ctx.store.prices.get(id);
  if (!price) throw resourceMissing('price', id, param);
  return price;
}

export function requireSubscription(ctx: StripeContext, id: string, param = 'subscription_exposed_id'): Subscription {
  const subscription = ctx.store.subscriptions.get(id);
  if (!subscription) throw resourceMissing('subscription', id, param);
  return subscription;
}

export function requireInvoice(ctx: StripeContext, id: string, param = 'invoice'): Invoice {
  const invoice = ctx.store.invoices.get(id);
  if (!invoice) throw resourceMissing('invoice', id, param);
  return invoice;
}
