import type { AddressInfo } from 'node:net';
import type { PrismaPg } from '@prisma/adapter-pg';
import type { NatsConnection } from '@nats-io/transport-node';
import type { JSONWebKeySet } from 'jose';
import type pg from 'pg';
import type { z } from 'zod';
import { listProtoFiles, loadPackageDefinition, type PackageDefinition } from '@fintech/contracts';
import { createJwksFetcher } from '../auth/jwks-source';
import { createInternalTokenVerifier, createJwksCache } from '../auth/tokens';
import { createPool } from '../db/create-pool';
import { createPrismaAdapter } from '../db/create-prisma-adapter';
import { migrateServiceSchema, type MigrationSet } from '../db/kit-migrations';
import { parseEnv, type serviceEnvShape } from '../env';
import { createConsumer, type ConsumerOptions } from '../events/create-consumer';
import { ensureStream } from '../events/ensure-stream';
import { connectNats } from '../events/nats';
import { createOutboxRelay } from '../events/outbox-relay';
import { createGrpcServer, type ServiceDescriptor } from '../grpc/server';
import { createLogger, type Logger } from '../logger';

/** The configuration every service has: the kit's variables (`serviceEnvShape`) and its own schema. */
export type ServiceConfig = { [K in keyof typeof serviceEnvShape]: z.infer<(typeof serviceEnvShape)[K]> } & {
  /** Postgres schema the service owns. */
  DATABASE_SCHEMA: string;
};

/** What the kit has opened for a service when it builds the service's dependencies. */
export interface ServiceContext<C extends ServiceConfig, P> {
  name: string;
  config: C;
  logger: Logger;
  /** The service's schema (DATABASE_SCHEMA), already migrated. */
  schema: string;
  /**
   * Plain `pg` connections in the service's schema, at most DATABASE_POOL_MAX; the outbox relay and the consumers
   * use the same pool.
   */
  pool: pg.Pool;
  /** The declaration's Prisma client on its own pool of at most DATABASE_POOL_MAX connections. */
  prisma: P;
  nats: NatsConnection;
  /** The service's clock (tests move it). */
  now: () => Date;
  /** Tells the outbox relay that events were committed, so they go out at once. */
  eventsCommitted: () => void;
  /** Registers the teardown of something the service opened itself (a client, a timer); run in reverse order. */
  onStop(teardown: () => Promise<void> | void): void;
}

/** A durable consumer the kit runs for the service: effects once per event, in the service's schema. */
export type ConsumerDeclaration = Omit<ConsumerOptions, 'nats' | 'pool' | 'schema' | 'logger'>;

/** The surface of an HTTP server the kit starts and stops (a fastify instance has it). */
export interface HttpApp {
  listen(options: { host: string; port: number }): Promise<unknown>;
  close(): Promise<unknown>;
  readonly server: { address(): AddressInfo | string | null };
}

/** The sandbox's base URL per provider, for {@link SandboxWiring}. */
export type SandboxUrls = Record<'stripe' | 'plaid' | 'alpaca', string>;

/**
 * How a service reaches the provider sandbox in development and tests (`pnpm start`, the test fleet): the variables
 * that point its provider SDK at the sandbox, and the webhook endpoints to register there.
 */
export interface SandboxWiring {
  env(urls: SandboxUrls): Record<string, string>;
  /** Endpoints (a path of the service's HTTP ingress) to register; the signing secret goes into `secretEnv`. */
  webhooks?: { provider: 'stripe'; path: string; secretEnv: string }[];
}

type HandlersOf<S extends ServiceDescriptor> = {
  [K in keyof S['methods']]: (request: never, context: never) => Promise<unknown>;
};

/** What a service is; the kit does the rest. */
export interface ServiceDeclaration<C extends ServiceConfig, D, P, S extends ServiceDescriptor> {
  /** The domain name: `fintech.<name>.v1`, the gateway's SERVICE_ADDRESSES key, the NATS connection name. */
  name: string;
  /** The service's environment schema, spreading the kit's `serviceEnvShape`. */
  env: z.ZodType<C>;
  /** The service's Prisma migrations folder; the kit's own tables are migrated before it. */
  migrationsDir?: string;
  /** The kit's migration sets (default: all of them, `KIT_MIGRATION_SETS`). */
  kitMigrations?: readonly MigrationSet[];
  /** Folders of proto files outside the fleet's `proto/` that define this service (a test service's). */
  protoRoots?: string[];
  /** The JetStream stream the service publishes to (from `streams` in packages/contracts). */
  stream?: { name: string; subjects: readonly string[] };
  /** Builds the Prisma client on the adapter the kit sized and pointed at the service's schema. */
  prisma?: (adapter: PrismaPg) => P;
  /** Builds what the handlers need (adapters, repositories) from what the kit opened. */
  deps(context: ServiceContext<C, P>): D | Promise<D>;
  /** The gRPC service: its definition (or full proto name), handlers and the methods that need no token. */
  grpc: {
    service: S;
    handlers(deps: D): HandlersOf<S>;
    publicMethods?: (keyof S['methods'])[];
  };
  /**
   * Where the key set that verifies internal tokens comes from. Default: the auth service's GetJwks at
   * AUTH_GRPC_ADDRESS. The auth service, which signs them, verifies with its own keys.
   */
  jwks?: (deps: D) => () => Promise<JSONWebKeySet>;
  /** Durable event consumers, started after the gRPC handlers' dependencies and stopped before the relay. */
  consumers?: (deps: D) => ConsumerDeclaration[];
  /** An HTTP ingress besides gRPC (provider webhooks). */
  http?: {
    app(deps: D): HttpApp | Promise<HttpApp>;
    listen(config: C): { host: string; port: number };
  };
  sandbox?: SandboxWiring;
}

/** A started service. */
export interface RunningService<C extends ServiceConfig, D> {
  name: string;
  config: C;
  /** The bound gRPC port. */
  port: number;
  /** The HTTP ingress, when declared. */
  http?: { port: number; origin: string };
  deps: D;
  /** Stops in dependency order: gRPC and HTTP, consumers, the service's own teardowns, relay, NATS, pools. */
  stop(): Promise<void>;
}

/** Options of {@link DefinedService.start}. */
export interface StartOptions {
  logger?: Logger;
  now?: () => Date;
  /** Port of the HTTP ingress instead of the configured one (0 in tests and fixtures: any free port). */
  httpPort?: number;
}

/** A declared service: parse its configuration once, start it. */
export interface DefinedService<C extends ServiceConfig = ServiceConfig, D = unknown> {
  readonly name: string;
  /** The gRPC service it serves (for clients and probes). */
  readonly descriptor: ServiceDescriptor;
  /** Proto folders outside `proto/` that define it; a gateway in front of it reads them too. */
  readonly protoRoots: readonly string[];
  readonly sandbox?: SandboxWiring;
  /** Parses the environment (`process.env` by default) with the declaration's schema; throws ConfigError. */
  loadConfig(source?: NodeJS.ProcessEnv): C;
  /** Migrates, connects and listens; see {@link startService}. */
  start(config: C, options?: StartOptions): Promise<RunningService<C, D>>;
}

/**
 * Declares a service. The declaration says what the service is (proto, handlers, adapters, consumers, HTTP ingress,
 * env); `start` does what every service does the same way, in this order:
 *
 * migrations (the kit's tables, then the service's) → pg pool and Prisma, each sized by DATABASE_POOL_MAX → NATS and
 * the service's stream → the outbox relay (schema-qualified) → the service's dependencies → internal-token
 * verification (JWKS) → consumers → HTTP ingress → gRPC server with health, reflection and the in-flight bound.
 *
 * `stop()` goes back in the reverse order, so nothing is torn down while something started after it still uses it.
 */
export function defineService<
  C extends ServiceConfig,
  D,
  P = undefined,
  S extends ServiceDescriptor = ServiceDescriptor,
>(declaration: ServiceDeclaration<C, D, P, S>): DefinedService<C, D> {
  // The gateway routes an RPC of `fintech.<domain>.v1.*` to the address configured for <domain>: the declared name is
  // that domain, or the service would be unreachable under it.
  const domain = /^fintech\.([^.]+)\./.exec(declaration.grpc.service.serviceName)?.[1];
  if (domain !== declaration.name) {
    throw new Error(
      `service "${declaration.name}" serves ${declaration.grpc.service.serviceName}; its name must be the proto package's domain (fintech.<name>.v1)`,
    );
  }
  return {
    name: declaration.name,
    descriptor: declaration.grpc.service,
    protoRoots: declaration.protoRoots ?? [],
    ...(declaration.sandbox ? { sandbox: declaration.sandbox } : {}),
    loadConfig: (source = process.env) => parseEnv(declaration.env, source),
    start: (config, options) => startService(declaration, config, options),
  };
}

/** The gRPC package definition of the fleet's protos plus those under `roots`. */
export function servicePackageDefinition(roots: readonly string[] = []): PackageDefinition {
  if (roots.length === 0) return loadPackageDefinition();
  return loadPackageDefinition([...listProtoFiles(), ...roots.flatMap((root) => listProtoFiles(root))], [...roots]);
}

async function startService<C extends ServiceConfig, D, P, S extends ServiceDescriptor>(
  declaration: ServiceDeclaration<C, D, P, S>,
  config: C,
  options: StartOptions = {},
): Promise<RunningService<C, D>> {
  const { name } = declaration;
  const logger = options.logger ?? createLogger({ name, level: config.LOG_LEVEL });
  const schema = config.DATABASE_SCHEMA;
  // Teardowns in the order things were opened; stop() and a failed start run them backwards.
  const teardowns: { what: string; run: () => Promise<void> | void }[] = [];
  const stopAll = async (): Promise<void> => {
    for (const teardown of teardowns.splice(0).reverse()) {
      try {
        await teardown.run();
      } catch (err) {
        logger.warn({ err, what: teardown.what }, 'teardown failed');
      }
    }
  };

  try {
    await migrateServiceSchema({
      connectionString: config.DATABASE_URL,
      schema,
      migrationsDir: declaration.migrationsDir,
      kitMigrations: declaration.kitMigrations,
      logger,
    });

    // One policy for both pools: each holds at most DATABASE_POOL_MAX connections in the service's schema
    // (docs/decisions/020-define-service.md).
    const pool = createPool({ connectionString: config.DATABASE_URL, schema, max: config.DATABASE_POOL_MAX, logger });
    teardowns.push({ what: 'pool', run: () => pool.end() });
    let prisma = undefined as P;
    if (declaration.prisma) {
      prisma = declaration.prisma(
        createPrismaAdapter({ connectionString: config.DATABASE_URL, schema, max: config.DATABASE_POOL_MAX }),
      );
      const client = prisma as { $disconnect?: () => Promise<void> };
      teardowns.push({ what: 'prisma', run: () => client.$disconnect?.() });
    }

    const nats = await connectNats({ servers: config.NATS_URL, name });
    teardowns.push({ what: 'nats', run: () => nats.drain().catch(() => nats.close()) });
    if (declaration.stream) {
      await ensureStream(nats, { name: declaration.stream.name, subjects: [...declaration.stream.subjects] });
    }
    const relay = createOutboxRelay({ pool, nats, logger, schema });
    relay.start();
    teardowns.push({ what: 'outbox relay', run: () => relay.stop() });

    const deps = await declaration.deps({
      name,
      config,
      logger,
      schema,
      pool,
      prisma,
      nats,
      now: options.now ?? (() => new Date()),
      eventsCommitted: () => relay.wake(),
      onStop: (run) => void teardowns.push({ what: 'service teardown', run }),
    });

    let fetchJwks: () => Promise<JSONWebKeySet>;
    if (declaration.jwks) {
      fetchJwks = declaration.jwks(deps);
    } else {
      const fetcher = createJwksFetcher(config.AUTH_GRPC_ADDRESS);
      teardowns.push({ what: 'jwks client', run: () => fetcher.close() });
      fetchJwks = fetcher.fetchJwks;
    }
    const jwks = createJwksCache({ fetchJwks, minRefreshIntervalMs: 5_000 });
    const internal = createInternalTokenVerifier({ getKey: jwks.getKey, issuer: config.TOKEN_ISSUER });

    for (const consumerDeclaration of declaration.consumers?.(deps) ?? []) {
      const consumer = createConsumer({ ...consumerDeclaration, nats, pool, schema, logger });
      await consumer.start();
      teardowns.push({ what: `consumer ${consumerDeclaration.durable}`, run: () => consumer.stop() });
    }

    let http: RunningService<C, D>['http'];
    if (declaration.http) {
      const app = await declaration.http.app(deps);
      const { host, port: configured } = declaration.http.listen(config);
      const port = options.httpPort ?? configured;
      teardowns.push({ what: 'http ingress', run: async () => void (await app.close()) });
      await app.listen({ host, port });
      const bound = (app.server.address() as AddressInfo).port;
      http = { port: bound, origin: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
    }

    const server = createGrpcServer({
      logger,
      verifyToken: internal.verify,
      maxInFlight: config.GRPC_MAX_IN_FLIGHT,
      packageDefinition: servicePackageDefinition(declaration.protoRoots),
    });
    server.addService(declaration.grpc.service, declaration.grpc.handlers(deps), {
      publicMethods: declaration.grpc.publicMethods,
    });
    teardowns.push({ what: 'grpc server', run: () => server.shutdown(5_000) });
    const port = await server.listen(config.GRPC_LISTEN);

    return { name, config, port, ...(http ? { http } : {}), deps, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
