import type { StripeContext } from '../context.js';
import { StripeApiError, invalidRequest, parameterError, resourceMissing } from '../errors.js';
import type { FormRecord } from '../form.js';
import { paginate } from '../list.js';
import type { Params } from '../params.js';
import type { Route } from '../router.js';
import type { Meter, MeterEvent } from '../types.js';

// Stripe keeps identifiers for "a rolling period of at least 24 hours" (meter event `identifier`, API reference).
const IDENTIFIER_WINDOW_SECONDS = 24 * 60 * 60;

function requireMeter(ctx: StripeContext, id: string): Meter {
  const meter = ctx.store.meters.get(id);
  if (!meter) throw resourceMissing('billing.meter', id, 'id');
  return meter;
}

function createMeter(ctx: StripeContext, input: Params): Meter {
  const eventName = input.requiredString('event_name');
  const aggregation = input.object('default_aggregation');
  if (!aggregation)
    throw parameterError('Missing required param: default_aggregation.', 'default_aggregation', 'parameter_missing');
  const formula = aggregation.oneOf('formula', ['count', 'sum', 'last'] as const);
  if (!formula) {
    throw parameterError(
      'Missing required param: default_aggregation[formula].',
      'default_aggregation[formula]',
      'parameter_missing',
    );
  }
  if (ctx.store.meters.all().some((meter) => meter.event_name === eventName && meter.status === 'active')) {
    throw invalidRequest(`An active meter with event_name \`${eventName}\` already exists.`, { param: 'event_name' });
  }
  const now = ctx.now();
  const meter: Meter = {
    id: ctx.id('mtr_test', 24),
    object: 'billing.meter',
    created: now,
    customer_mapping: {
      event_payload_key: input.object('customer_mapping')?.string('event_payload_key') ?? 'stripe_customer_id',
      type: 'by_id',
    },
    default_aggregation: { formula },
    display_name: input.requiredString('display_name'),
    event_name: eventName,
    event_time_window: input.oneOf('event_time_window', ['day', 'hour'] as const) ?? null,
    livemode: false,
    status: 'active',
    status_transitions: { deactivated_at: null },
    updated: now,
    value_settings: { event_payload_key: input.object('value_settings')?.string('event_payload_key') ?? 'value' },
  };
  return ctx.store.meters.insert(meter);
}

/** The events of one meter for one customer with `start <= timestamp < end`. */
function eventsOf(ctx: StripeContext, meter: Meter, customerId: string, start: number, end: number): MeterEvent[] {
  return ctx.store.meterEvents.filter(
    (event) =>
      event.event_name === meter.event_name &&
      event.payload[meter.customer_mapping.event_payload_key] === customerId &&
      event.timestamp >= start &&
      event.timestamp < end,
  );
}

/** Usage of a customer on a meter over a period, aggregated with the meter's formula. */
export function aggregateUsage(
  ctx: StripeContext,
  meter: Meter,
  customerId: string,
  start: number,
  end: number,
): number {
  const events = eventsOf(ctx, meter, customerId, start, end);
  const values = events.map((event) => Number(event.payload[meter.value_settings.event_payload_key] ?? 0));
  switch (meter.default_aggregation.formula) {
    case 'count':
      return events.length;
    case 'last':
      return values.at(-1) ?? 0;
    case 'sum':
      return values.reduce((total, value) => total + value, 0);
  }
}

function createMeterEvent(ctx: StripeContext, input: Params): MeterEvent {
  const eventName = input.requiredString('event_name');
  const payloadParams = input.object('payload');
  if (!payloadParams) throw parameterError('Missing required param: payload.', 'payload', 'parameter_missing');
  const payload: Record<string, string> = {};
  for (const [key, value] of Object.entries(payloadParams.raw as FormRecord)) {
    if (typeof value !== 'string') throw parameterError(`Invalid string: payload[${key}]`, `payload[${key}]`);
    payload[key] = value;
  }
  const now = ctx.now();
  const timestamp = input.int('timestamp') ?? now;
  // Documented bounds: "within the past 35 calendar days or up to 5 minutes in the future".
  if (timestamp > now + 5 * 60 || timestamp < now - 35 * 24 * 60 * 60) {
    throw parameterError(
      'Timestamp must be within the past 35 calendar days and no more than 5 minutes in the future.',
      'timestamp',
    );
  }
  const identifier =
    input.string('identifier') ?? ctx.random.fork(`meter-event:${ctx.store.meterEvents.length}`).hex(32);
  const duplicate = ctx.store.meterEvents.find(
    (event) => event.identifier === identifier && event.created > now - IDENTIFIER_WINDOW_SECONDS,
  );
  if (duplicate) {
    // What Stripe answers to a repeated identifier: a 400 it marks as not worth retrying.
    throw new StripeApiError(
      400,
      {
        type: 'invalid_request_error',
        message: `An event already exists with identifier ${identifier}.`,
        param: 'identifier',
      },
      true,
      { 'stripe-should-retry': 'false' },
    );
  }
  const event: MeterEvent = {
    object: 'billing.meter_event',
    created: now,
    event_name: eventName,
    identifier,
    livemode: false,
    payload,
    timestamp,
  };
  ctx.store.meterEvents.push(event);
  return event;
}

function setStatus(ctx: StripeContext, meter: Meter, status: Meter['status']): Meter {
  meter.status = status;
  meter.status_transitions.deactivated_at = status === 'inactive' ? ctx.now() : null;
  meter.updated = ctx.now();
  return meter;
}

export const billingRoutes: Route[] = [
  { method: 'POST', path: '/v1/billing/meters', handler: (ctx, { input }) => createMeter(ctx, input) },
  {
    method: 'GET',
    path: '/v1/billing/meters',
    handler(ctx, { input }) {
      const status = input.string('status');
      const items = ctx.store.meters.all().filter((meter) => !status || meter.status === status);
      return paginate(items, input, '/v1/billing/meters');
    },
  },
  { method: 'GET', path: '/v1/billing/meters/:id', handler: (ctx, { path }) => requireMeter(ctx, path.id ?? '') },
  {
    method: 'POST',
    path: '/v1/billing/meters/:id',
    handler(ctx, { path, input }) {
      const meter = requireMeter(ctx, path.id ?? '');
      meter.display_name = input.string('display_name') ?? meter.display_name;
      meter.updated = ctx.now();
      return meter;
    },
  },
  {
    method: 'POST',
    path: '/v1/billing/meters/:id/deactivate',
    handler: (ctx, { path }) => setStatus(ctx, requireMeter(ctx, path.id ?? ''), 'inactive'),
  },
  {
    method: 'POST',
    path: '/v1/billing/meters/:id/reactivate',
    handler: (ctx, { path }) => setStatus(ctx, requireMeter(ctx, path.id ?? ''), 'active'),
  },
  {
    method: 'GET',
    path: '/v1/billing/meters/:id/event_summaries',
    handler(ctx, { path, input }) {
      const meter = requireMeter(ctx, path.id ?? '');
      const customer = input.requiredString('customer');
      const start = input.requiredInt('start_time');
      const end = input.requiredInt('end_time');
      const summary = {
        id: ctx.id('mtrusg_test', 24),
        object: 'billing.meter_event_summary' as const,
        aggregated_value: aggregateUsage(ctx, meter, customer, start, end),
        end_time: end,
        livemode: false,
        meter: meter.id,
        start_time: start,
      };
      return paginate([summary], input, `/v1/billing/meters/${meter.id}/event_summaries`);
    },
  },
  { method: 'POST', path: '/v1/billing/meter_events', handler: (ctx, { input }) => createMeterEvent(ctx, input) },
];
