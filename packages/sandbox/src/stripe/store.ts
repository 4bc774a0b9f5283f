import type {
  Charge,
  Customer,
  Dispute,
  Invoice,
  Meter,
  MeterEvent,
  PaymentIntent,
  PaymentMethod,
  Price,
  Product,
  Refund,
  SetupIntent,
  StripeEvent,
  Subscription,
  WebhookEndpoint,
} from './types.js';

interface Identified {
  id: string;
  object: string;
  created: number;
}

/** One kind of object, listed newest first as Stripe lists them (by `created`, then by creation order). */
export class Collection<T extends Identified> {
  private readonly items = new Map<string, { value: T; seq: number }>();

  constructor(private readonly sequence: { next(): number }) {}

  insert(value: T): T {
    this.items.set(value.id, { value, seq: this.sequence.next() });
    return value;
  }

  get(id: string): T | undefined {
    return this.items.get(id)?.value;
  }

  delete(id: string): boolean {
    return this.items.delete(id);
  }

  all(): T[] {
    return [...this.items.values()]
      .sort((a, b) => b.value.created - a.value.created || b.seq - a.seq)
      .map((entry) => entry.value);
  }

  get size(): number {
    return this.items.size;
  }

  /** The objects with their creation order, for a snapshot. */
  entries(): Array<[T, number]> {
    return [...this.items.values()].map((entry) => [entry.value, entry.seq]);
  }

  /** Replace the contents with a snapshot's entries. */
  load(entries: ReadonlyArray<readonly [T, number]>): void {
    this.items.clear();
    for (const [value, seq] of entries) this.items.set(value.id, { value, seq });
  }
}

export interface Store {
  customers: Collection<Customer>;
  paymentMethods: Collection<PaymentMethod>;
  setupIntents: Collection<SetupIntent>;
  paymentIntents: Collection<PaymentIntent>;
  charges: Collection<Charge>;
  refunds: Collection<Refund>;
  disputes: Collection<Dispute>;
  products: Collection<Product>;
  prices: Collection<Price>;
  subscriptions: Collection<Subscription>;
  invoices: Collection<Invoice>;
  meters: Collection<Meter>;
  webhookEndpoints: Collection<WebhookEndpoint>;
  events: Collection<StripeEvent>;
  meterEvents: MeterEvent[];
  /** Ids of deleted objects, by object type, so a retrieve answers `{ deleted: true }` as Stripe does. */
  deleted: Map<string, string>;
  /** Any stored object by id, for `expand[]`. */
  find(id: string): Identified | undefined;
  /** Everything in the store as plain JSON data. */
  snapshot(): StoreSnapshot;
  /** Replace the contents with a snapshot. */
  restore(snapshot: StoreSnapshot): void;
}

const COLLECTIONS = [
  'customers',
  'paymentMethods',
  'setupIntents',
  'paymentIntents',
  'charges',
  'refunds',
  'disputes',
  'products',
  'prices',
  'subscriptions',
  'invoices',
  'meters',
  'webhookEndpoints',
  'events',
] as const;

/** A store as JSON: each collection's objects with their creation order, and the rest as is. */
export interface StoreSnapshot {
  counter: number;
  collections: Record<(typeof COLLECTIONS)[number], Array<[Identified, number]>>;
  meterEvents: MeterEvent[];
  deleted: Array<[string, string]>;
}

export function createStore(): Store {
  let counter = 0;
  const sequence = { next: () => (counter += 1) };
  const collection = <T extends Identified>() => new Collection<T>(sequence);
  const store = {
    customers: collection<Customer>(),
    paymentMethods: collection<PaymentMethod>(),
    setupIntents: collection<SetupIntent>(),
    paymentIntents: collection<PaymentIntent>(),
    charges: collection<Charge>(),
    refunds: collection<Refund>(),
    disputes: collection<Dispute>(),
    products: collection<Product>(),
    prices: collection<Price>(),
    subscriptions: collection<Subscription>(),
    invoices: collection<Invoice>(),
    meters: collection<Meter>(),
    webhookEndpoints: collection<WebhookEndpoint>(),
    events: collection<StripeEvent>(),
    meterEvents: [] as MeterEvent[],
    deleted: new Map<string, string>(),
  };
  const searchable: Array<Collection<Identified>> = [
    store.customers,
    store.paymentMethods,
    store.setupIntents,
    store.paymentIntents,
    store.charges,
    store.refunds,
    store.disputes,
    store.products,
    store.prices,
    store.subscriptions,
    store.invoices,
    store.meters,
    store.webhookEndpoints,
    store.events,
  ];
  return {
    ...store,
    find(id) {
      for (const items of searchable) {
        const found = items.get(id);
        if (found) return found;
      }
      return undefined;
    },
    snapshot() {
      const collections = Object.fromEntries(
        COLLECTIONS.map((name) => [name, (store[name] as Collection<Identified>).entries()]),
      ) as StoreSnapshot['collections'];
      return { counter, collections, meterEvents: [...store.meterEvents], deleted: [...store.deleted] };
    },
    restore(snapshot) {
      counter = snapshot.counter;
      for (const name of COLLECTIONS) {
        (store[name] as Collection<Identified>).load(snapshot.collections[name] ?? []);
      }
      store.meterEvents.splice(0, store.meterEvents.length, ...snapshot.meterEvents);
      store.deleted.clear();
      for (const [id, type] of snapshot.deleted) store.deleted.set(id, type);
    },
  };
}
