import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createUser, service as authService, type AuthService } from '@fintech/auth';
import { GatewayEnv, startGateway, type Gateway } from '@fintech/gateway';
import type { DefinedService, RunningService, ServiceConfig } from '@fintech/kit';
import { startSandbox, type Sandbox } from '@fintech/sandbox';
import { dropTestSchema, testDatabaseUrl, testFieldKeys, testNatsUrl, uniqueSchema } from './index';

/** A service of the fleet by its folder name under `services/`, or a declared service (a test's own). */
export type FleetService = string | DefinedService<ServiceConfig, unknown>;

/** Options of {@link startTestFleet}. */
export interface TestFleetOptions {
  /** Services to start besides auth, in this order (default none). */
  services?: FleetService[];
  /** Start the gateway in front of them (default true). */
  gateway?: boolean;
  /** Start the provider sandbox even when no service declares one (default: only when one does). */
  sandbox?: boolean;
  /** Extra environment per service name (`auth` included), applied last. */
  env?: Record<string, Record<string, string>>;
  /** A clock per service name, for tests that move time. */
  now?: Record<string, () => Date>;
  gatewayEnv?: Record<string, string>;
  /** Proto folders the gateway reads besides `proto/` and the services' own `protoRoots`. */
  extraProtoRoots?: string[];
}

/** A whole fleet on free ports in this process, talking over real gRPC, HTTP, Postgres and NATS. */
export interface TestFleet {
  auth: AuthService;
  /** Every started service by name, auth included. */
  services: Record<string, RunningService<ServiceConfig, unknown>>;
  /** A started service by name, with the dependencies' type the caller knows it has. */
  service<D = unknown, C extends ServiceConfig = ServiceConfig>(name: string): RunningService<C, D>;
  /** The gateway, unless started with `gateway: false`. */
  gateway?: Gateway;
  /** The MCP endpoint (Streamable HTTP); empty without a gateway. */
  url: string;
  /** The gateway's origin, e.g. http://127.0.0.1:40123; empty without a gateway. */
  origin: string;
  sandbox?: Sandbox;
  /** Creates a user in the auth service (the only way users come to exist). */
  createUser(input?: { role?: string; fullName?: string; email?: string; password?: string }): Promise<{
    id: string;
    email: string;
    password: string;
  }>;
  /** Stops everything in reverse order and drops the fleet's schemas. */
  stop(): Promise<void>;
}

const SERVICES_DIR = fileURLToPath(new URL('../../../services/', import.meta.url));

/**
 * A fleet service by its folder name: its `src/service.ts` exports the declaration as `service`. Loaded by path, so
 * a new service needs no entry here.
 */
export async function loadFleetService(name: string): Promise<DefinedService<ServiceConfig, unknown>> {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`not a service folder name: ${JSON.stringify(name)}`);
  const module = (await import(pathToFileURL(`${SERVICES_DIR}${name}/src/service.ts`).href)) as {
    service?: DefinedService<ServiceConfig, unknown>;
  };
  if (!module.service) throw new Error(`services/${name}/src/service.ts exports no \`service\` declaration`);
  return module.service;
}

let users = 0;

/**
 * Starts auth, the given services, the provider sandbox (when a service is wired to it) and the gateway, on free
 * ports, each service in a schema of its own on the test database and on the test NATS; in one call:
 *
 * ```ts
 * const fleet = await startTestFleet({ services: ['payments'] });
 * ```
 *
 * Each service gets the kit's variables (database, schema, NATS, `GRPC_LISTEN` on port 0, the auth address), what
 * its `sandbox` wiring asks for (provider URLs, a fresh webhook secret, its webhook endpoint registered at the
 * sandbox), then `env[name]`. The gateway learns every service's address and proto folders through configuration
 * only, as in production. A failed start stops what had started.
 */
export async function startTestFleet(options: TestFleetOptions = {}): Promise<TestFleet> {
  const level = process.env.TEST_LOG_LEVEL ?? 'silent';
  const definitions = await Promise.all(
    (options.services ?? []).map((s) => (typeof s === 'string' ? loadFleetService(s) : Promise.resolve(s))),
  );
  const started: RunningService<ServiceConfig, unknown>[] = [];
  const schemas: string[] = [];
  let sandbox: Sandbox | undefined;
  let gateway: Gateway | undefined;

  const stop = async (): Promise<void> => {
    await gateway?.close();
    for (const running of started.splice(0).reverse()) await running.stop();
    await sandbox?.close();
    for (const schema of schemas) await dropTestSchema(schema);
  };

  const kitEnv = (name: string, authPort: number | null): Record<string, string> => {
    const schema = uniqueSchema(name.replaceAll('-', '_'));
    schemas.push(schema);
    return {
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_SCHEMA: schema,
      NATS_URL: testNatsUrl(),
      GRPC_LISTEN: '127.0.0.1:0',
      LOG_LEVEL: level,
      ...(authPort !== null ? { AUTH_GRPC_ADDRESS: `127.0.0.1:${authPort}` } : {}),
    };
  };

  try {
    const auth = (await authService.start(
      authService.loadConfig({
        ...kitEnv('auth', null),
        FIELD_ENCRYPTION_KEYS: testFieldKeys(),
        ...options.env?.auth,
      }),
      { now: options.now?.auth },
    )) as AuthService;
    started.push(auth as RunningService<ServiceConfig, unknown>);

    if (options.sandbox || definitions.some((d) => d.sandbox)) {
      sandbox = await startSandbox({
        seed: `fleet-${randomBytes(4).toString('hex')}`,
        ports: { stripe: 0, plaid: 0, alpaca: 0, admin: 0 },
        webhooks: { retryDelaysMs: [50, 200], timeoutMs: 2000 },
      });
    }

    const addresses: string[] = [];
    const protoRoots = [...(options.extraProtoRoots ?? [])];
    for (const definition of definitions) {
      const { name } = definition;
      const env = kitEnv(name, auth.port);
      const webhooks: { path: string; secret: string }[] = [];
      if (definition.sandbox && sandbox) {
        Object.assign(env, definition.sandbox.env(sandbox.urls));
        for (const webhook of definition.sandbox.webhooks ?? []) {
          const secret = `whsec_${randomBytes(16).toString('hex')}`;
          env[webhook.secretEnv] = secret;
          webhooks.push({ path: webhook.path, secret });
        }
      }
      Object.assign(env, options.env?.[name]);
      const running = await definition.start(definition.loadConfig(env), {
        now: options.now?.[name],
        httpPort: 0,
      });
      started.push(running);
      for (const webhook of webhooks) {
        // Stripe's signing secret is per endpoint (https://docs.stripe.com/webhooks#endpoint-secrets).
        sandbox!.stripe.addWebhookEndpoint(`${running.http!.origin}${webhook.path}`, webhook.secret);
      }
      addresses.push(`${name}=127.0.0.1:${running.port}`);
      protoRoots.push(...definition.protoRoots);
    }

    if (options.gateway !== false) {
      if (options.gatewayEnv?.SERVICE_ADDRESSES) addresses.push(options.gatewayEnv.SERVICE_ADDRESSES);
      gateway = await startGateway(
        GatewayEnv.parse({
          GATEWAY_PORT: '0',
          AUTH_GRPC_ADDRESS: `127.0.0.1:${auth.port}`,
          LOG_LEVEL: level,
          NATS_URL: testNatsUrl(),
          ...options.gatewayEnv,
          ...(addresses.length > 0 ? { SERVICE_ADDRESSES: addresses.join(',') } : {}),
        }),
        { extraProtoRoots: protoRoots },
      );
    }

    const services = Object.fromEntries(started.map((s) => [s.name, s]));
    return {
      auth,
      services,
      service<D = unknown, C extends ServiceConfig = ServiceConfig>(name: string) {
        const running = services[name];
        if (!running) throw new Error(`service ${name} is not part of this fleet`);
        return running as unknown as RunningService<C, D>;
      },
      gateway,
      url: gateway?.url ?? '',
      origin: gateway ? new URL(gateway.url).origin : '',
      sandbox,
      async createUser(input = {}) {
        const email = input.email ?? `agent${++users}-${auth.config.DATABASE_SCHEMA}@example.com`;
        const password = input.password ?? 'correct horse battery staple';
        const id = await createUser(auth.deps, {
          email,
          password,
          ...(input.role ? { role: input.role } : {}),
          ...(input.fullName ? { fullName: input.fullName } : {}),
        });
        return { id, email, password };
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
