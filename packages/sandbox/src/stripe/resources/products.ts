import type { StripeContext } from '../context.js';
import { parameterError } from '../errors.js';
import { paginate, timestampFilter } from '../list.js';
import { requirePrice, requireProduct } from '../lookup.js';
import type { Params } from '../params.js';
import type { Route } from '../router.js';
import type { Price, Product, Recurring } from '../types.js';

function createProduct(ctx: StripeContext, input: Params): Product {
  const now = ctx.now();
  const product: Product = {
    id: input.string('id') ?? ctx.id('prod', 14),
    object: 'product',
    active: input.bool('active') ?? true,
    created: now,
    default_price: null,
    description: input.string('description') ?? null,
    images: input.stringList('images') ?? [],
    livemode: false,
    marketing_features: [],
    metadata: input.metadata(),
    name: input.requiredString('name'),
    package_dimensions: null,
    shippable: null,
    statement_descriptor: input.string('statement_descriptor') ?? null,
    tax_code: null,
    type: 'service',
    unit_label: input.string('unit_label') ?? null,
    updated: now,
    url: input.string('url') ?? null,
  };
  if (ctx.store.products.get(product.id)) {
    throw parameterError(`Product already exists.`, 'id', 'resource_already_exists');
  }
  ctx.store.products.insert(product);
  ctx.emit('product.created', product);
  const defaultPrice = input.object('default_price_data');
  if (defaultPrice) {
    const price = createPrice(ctx, defaultPrice, product.id);
    product.default_price = price.id;
  }
  return product;
}

function recurring(input: Params | undefined): Recurring | null {
  if (!input) return null;
  const interval = input.oneOf('interval', ['day', 'week', 'month', 'year'] as const);
  if (!interval)
    throw parameterError('Missing required param: recurring[interval].', 'recurring[interval]', 'parameter_missing');
  return {
    interval,
    interval_count: input.int('interval_count') ?? 1,
    meter: input.string('meter') ?? null,
    trial_period_days: input.int('trial_period_days') ?? null,
    usage_type: input.oneOf('usage_type', ['licensed', 'metered'] as const) ?? 'licensed',
  };
}

export function createPrice(ctx: StripeContext, input: Params, productId?: string): Price {
  const currency = input.requiredString('currency').toLowerCase();
  const productData = input.object('product_data');
  let product = productId ?? input.string('product');
  if (!product && productData) {
    product = createProduct(ctx, productData).id;
  }
  if (!product) throw parameterError('Missing required param: product.', 'product', 'parameter_missing');
  requireProduct(ctx, product);
  const unitAmount = input.int('unit_amount') ?? null;
  const decimal = input.string('unit_amount_decimal') ?? (unitAmount === null ? null : String(unitAmount));
  if (unitAmount === null && decimal === null) {
    throw parameterError('Missing required param: unit_amount.', 'unit_amount', 'parameter_missing');
  }
  const lookupKey = input.string('lookup_key') ?? null;
  if (lookupKey) {
    const holder = ctx.store.prices.all().find((price) => price.lookup_key === lookupKey);
    if (holder) {
      if (!input.bool('transfer_lookup_key')) {
        throw parameterError(`A price (\`${holder.id}\`) already uses that lookup key.`, 'lookup_key');
      }
      holder.lookup_key = null;
    }
  }
  const recurringInfo = recurring(input.object('recurring'));
  const price: Price = {
    id: ctx.id('price'),
    object: 'price',
    active: input.bool('active') ?? true,
    billing_scheme: 'per_unit',
    created: ctx.now(),
    currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: lookupKey,
    metadata: input.metadata(),
    nickname: input.string('nickname') ?? null,
    product,
    recurring: recurringInfo,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: recurringInfo ? 'recurring' : 'one_time',
    unit_amount: unitAmount ?? Math.round(Number(decimal)),
    unit_amount_decimal: decimal,
  };
  ctx.store.prices.insert(price);
  ctx.emit('price.created', price);
  return price;
}

function updateProduct(ctx: StripeContext, product: Product, input: Params): Product {
  if (input.has('name')) product.name = input.requiredString('name');
  if (input.has('description')) product.description = input.nullableString('description') ?? null;
  if (input.has('active')) product.active = input.bool('active') ?? product.active;
  if (input.has('default_price')) product.default_price = input.nullableString('default_price') ?? null;
  product.metadata = input.metadata(product.metadata);
  product.updated = ctx.now();
  ctx.emit('product.updated', product);
  return product;
}

export const productRoutes: Route[] = [
  { method: 'POST', path: '/v1/products', handler: (ctx, { input }) => createProduct(ctx, input) },
  { method: 'GET', path: '/v1/products/:id', handler: (ctx, { path }) => requireProduct(ctx, path.id ?? '', 'id') },
  {
    method: 'POST',
    path: '/v1/products/:id',
    handler: (ctx, { path, input }) => updateProduct(ctx, requireProduct(ctx, path.id ?? '', 'id'), input),
  },
  {
    method: 'GET',
    path: '/v1/products',
    handler(ctx, { input }) {
      const active = input.bool('active');
      const created = timestampFilter(input);
      const items = ctx.store.products
        .all()
        .filter((product) => (active === undefined || product.active === active) && created(product.created));
      return paginate(items, input, '/v1/products');
    },
  },
  { method: 'POST', path: '/v1/prices', handler: (ctx, { input }) => createPrice(ctx, input) },
  { method: 'GET', path: '/v1/prices/:id', handler: (ctx, { path }) => requirePrice(ctx, path.id ?? '', 'price') },
  {
    method: 'POST',
    path: '/v1/prices/:id',
    handler(ctx, { path, input }) {
      const price = requirePrice(ctx, path.id ?? '', 'price');
      if (input.has('active')) price.active = input.bool('active') ?? price.active;
      if (input.has('nickname')) price.nickname = input.nullableString('nickname') ?? null;
      if (input.has('lookup_key')) price.lookup_key = input.nullableString('lookup_key') ?? null;
      price.metadata = input.metadata(price.metadata);
      ctx.emit('price.updated', price);
      return price;
    },
  },
  {
    method: 'GET',
    path: '/v1/prices',
    handler(ctx, { input }) {
      const product = input.string('product');
      const active = input.bool('active');
      const type = input.string('type');
      const lookupKeys = input.stringList('lookup_keys');
      const created = timestampFilter(input);
      const items = ctx.store.prices
        .all()
        .filter(
          (price) =>
            (!product || price.product === product) &&
            (active === undefined || price.active === active) &&
            (!type || price.type === type) &&
            (!lookupKeys || (price.lookup_key !== null && lookupKeys.includes(price.lookup_key))) &&
            created(price.created),
        );
      return paginate(items, input, '/v1/prices');
    },
  },
];
