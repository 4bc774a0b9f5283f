import type { StripeContext } from '../context.js';
import { parameterError, resourceMissing } from '../errors.js';
import { paginate, timestampFilter } from '../list.js';
import type { Params } from '../params.js';
import type { Route } from '../router.js';
import type { DeletedObject, WebhookEndpoint } from '../types.js';

export interface EndpointRegistration {
  url: string;
  enabledEvents?: string[];
  /** A known secret (`whsec_…`) so a service can be configured before the endpoint exists; random when absent. */
  secret?: string;
  apiVersion?: string | null;
  description?: string | null;
  metadata?: Record<string, string>;
}

function validUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}

export function registerEndpoint(
  ctx: StripeContext,
  secrets: Map<string, string>,
  registration: EndpointRegistration,
): WebhookEndpoint {
  const endpoint: WebhookEndpoint = {
    id: ctx.id('we'),
    object: 'webhook_endpoint',
    api_version: registration.apiVersion ?? null,
    application: null,
    created: ctx.now(),
    description: registration.description ?? null,
    enabled_events: registration.enabledEvents ?? ['*'],
    livemode: false,
    metadata: registration.metadata ?? {},
    status: 'enabled',
    url: registration.url,
  };
  const secret = registration.secret ?? `whsec_${ctx.random.base62(32)}`;
  secrets.set(endpoint.id, secret);
  ctx.store.webhookEndpoints.insert(endpoint);
  return endpoint;
}

function requireEndpoint(ctx: StripeContext, id: string): WebhookEndpoint {
  const endpoint = ctx.store.webhookEndpoints.get(id);
  if (!endpoint) throw resourceMissing('webhook_endpoint', id, 'webhook_endpoint');
  return endpoint;
}

function create(ctx: StripeContext, secrets: Map<string, string>, input: Params): WebhookEndpoint {
  const url = input.requiredString('url');
  if (!validUrl(url)) throw parameterError('Invalid URL: URL must be publicly accessible.', 'url', 'url_invalid');
  const enabledEvents = input.stringList('enabled_events');
  if (!enabledEvents || enabledEvents.length === 0) {
    throw parameterError('Missing required param: enabled_events.', 'enabled_events', 'parameter_missing');
  }
  const endpoint = registerEndpoint(ctx, secrets, {
    url,
    enabledEvents,
    apiVersion: input.string('api_version') ?? null,
    description: input.string('description') ?? null,
    metadata: input.metadata(),
  });
  // Stripe returns the secret only in the response that creates the endpoint.
  return { ...endpoint, secret: secrets.get(endpoint.id) };
}

function update(ctx: StripeContext, endpoint: WebhookEndpoint, input: Params): WebhookEndpoint {
  const url = input.string('url');
  if (url) {
    if (!validUrl(url)) throw parameterError('Invalid URL: URL must be publicly accessible.', 'url', 'url_invalid');
    endpoint.url = url;
  }
  endpoint.enabled_events = input.stringList('enabled_events') ?? endpoint.enabled_events;
  const disabled = input.bool('disabled');
  if (disabled !== undefined) endpoint.status = disabled ? 'disabled' : 'enabled';
  if (input.has('description')) endpoint.description = input.nullableString('description') ?? null;
  endpoint.metadata = input.metadata(endpoint.metadata);
  return endpoint;
}

export function webhookRoutes(secrets: Map<string, string>): Route[] {
  return [
    { method: 'POST', path: '/v1/webhook_endpoints', handler: (ctx, { input }) => create(ctx, secrets, input) },
    {
      method: 'GET',
      path: '/v1/webhook_endpoints',
      handler: (ctx, { input }) => paginate(ctx.store.webhookEndpoints.all(), input, '/v1/webhook_endpoints'),
    },
    {
      method: 'GET',
      path: '/v1/webhook_endpoints/:id',
      handler: (ctx, { path }) => requireEndpoint(ctx, path.id ?? ''),
    },
    {
      method: 'POST',
      path: '/v1/webhook_endpoints/:id',
      handler: (ctx, { path, input }) => update(ctx, requireEndpoint(ctx, path.id ?? ''), input),
    },
    {
      method: 'DELETE',
      path: '/v1/webhook_endpoints/:id',
      handler(ctx, { path }): DeletedObject {
        const endpoint = requireEndpoint(ctx, path.id ?? '');
        ctx.store.webhookEndpoints.delete(endpoint.id);
        secrets.delete(endpoint.id);
        return { id: endpoint.id, object: 'webhook_endpoint', deleted: true };
      },
    },
    {
      method: 'GET',
      path: '/v1/events',
      handler(ctx, { input }) {
        const type = input.string('type');
        const types = input.stringList('types');
        const created = timestampFilter(input);
        // `type` accepts a `*` wildcard, as in `charge.*`.
        const typePattern = type
          ? new RegExp(`^${type.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`)
          : null;
        const items = ctx.store.events
          .all()
          .filter(
            (event) =>
              (!typePattern || typePattern.test(event.type)) &&
              (!types || types.includes(event.type)) &&
              created(event.created),
          );
        return paginate(items, input, '/v1/events');
      },
    },
    {
      method: 'GET',
      path: '/v1/events/:id',
      handler(ctx, { path }) {
        const event = ctx.store.events.get(path.id ?? '');
        if (!event) throw resourceMissing('event', path.id ?? '', 'id');
        return event;
      },
    },
  ];
}
