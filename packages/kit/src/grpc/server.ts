import type { Metadata } from '@grpc/grpc-js';
import {
  Server,
  ServerCredentials,
  status,
  type ServerUnaryCall,
  type ServiceError,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from '@grpc/grpc-js';
import type { PackageDefinition, ServiceDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { loadPackageDefinition, reflectionRootOf, type ReflectionRoot } from '@fintech/contracts';
import type { Logger } from 'pino';
import type { Caller } from '../auth/caller';
import { DomainError, UnauthenticatedError, toServiceError } from '../errors';
import { fleetDescriptors, serviceContract } from './contract';
import { HealthService } from './health';
import { bearerToken } from './metadata';

/** What every handler receives besides its request. */
export interface CallContext {
  /** The verified caller; null only on methods declared public. */
  caller: Caller | null;
  metadata: Metadata;
  /** Absolute deadline of the call, if the client set one. */
  deadline: Date | null;
  /** The peer address. */
  peer: string;
  logger: Logger;
}

/** A CallContext whose caller is known (any non-public method). */
export interface AuthenticatedContext extends CallContext {
  caller: Caller;
}

export interface ServiceDescriptor {
  serviceName: string;
  methods: Record<string, { name: string; path: string }>;
}

/** Handlers keyed by the camelCase method names of a generated `<Service>Definition`. */
export type Handlers = Record<string, (request: never, context: never) => Promise<unknown>>;

export interface GrpcServerOptions {
  logger: Logger;
  /** Verifies the internal token of a call (the kit's internal token verifier). */
  verifyToken: (token: string) => Promise<Caller>;
  /** Package definition to serve (defaults to all the fleet's protos). */
  packageDefinition?: PackageDefinition;
  /**
   * The contract's descriptors (a reflection root with custom options, as the gateway loads them), read for every
   * RPC's scopes, public access and field rules. Defaults to the protos `packageDefinition` was loaded from (by
   * loadPackageDefinition), else all the fleet's; addService refuses a service it finds no contract for.
   */
  descriptors?: ReflectionRoot;
  /**
   * Calls handled at once; further calls are refused at once with RESOURCE_EXHAUSTED (reason OVERLOADED) instead
   * of queueing until their deadlines expire, so an overloaded replica keeps completing what it accepted and callers
   * can retry elsewhere (every money-moving call is idempotent). Default: no bound.
   */
  maxInFlight?: number;
}

export interface GrpcServer {
  /**
   * Registers a service. Before a handler runs, the server enforces what the RPC's proto declares: an internal token
   * (unless the RPC is an anonymous tool or `access.public`), its scopes, ownership of a top-level `user_id` (resolved
   * to the caller for "me"), and its field rules on the decoded request. `publicMethods`, if given, must name only
   * methods the proto declares public (kept for compatibility; the proto is the source).
   */
  addService<D extends ServiceDescriptor>(
    definition: D,
    handlers: { [K in keyof D['methods']]: (request: never, context: never) => Promise<unknown> },
    options?: { publicMethods?: (keyof D['methods'])[] },
  ): void;
  /** Binds and starts serving; returns the bound port. Health turns SERVING. */
  listen(address: string): Promise<number>;
  /** Graceful stop: NOT_SERVING first, then in-flight calls finish (up to `graceMs`), then force. */
  shutdown(graceMs?: number): Promise<void>;
  readonly health: HealthService;
}

/**
 * The fleet's gRPC server: grpc.health.v1, server reflection, internal-token verification on every call (the
 * interceptor of the trust model: services never trust the network), domain errors mapped to status codes in one
 * place, and graceful shutdown.
 */
export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  const packageDefinition = options.packageDefinition ?? loadPackageDefinition();
  const descriptors =
    options.descriptors ??
    (options.packageDefinition ? reflectionRootOf(options.packageDefinition) : undefined) ??
    fleetDescriptors();
  const server = new Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
  const health = new HealthService();
  health.addToServer(server, packageDefinition);
  new ReflectionService(packageDefinition).addToServer(server);
  health.set('', 'NOT_SERVING');
  const logger = options.logger;
  const maxInFlight = options.maxInFlight ?? Number.POSITIVE_INFINITY;
  let inFlight = 0;

  return {
    health,
    addService(definition, handlers, serviceOptions = {}) {
      const grpcService = packageDefinition[definition.serviceName] as ServiceDefinition | undefined;
      if (!grpcService) throw new Error(`service ${definition.serviceName} is not in the package definition`);
      const publicMethods = new Set<string>((serviceOptions.publicMethods ?? []) as string[]);
      const contractOf = serviceContract(descriptors, definition.serviceName);
      const implementation: UntypedServiceImplementation = {};
      for (const [key, method] of Object.entries(definition.methods)) {
        const handler = (handlers as Record<string, (req: unknown, ctx: CallContext) => Promise<unknown>>)[key];
        if (!handler) throw new Error(`no handler for ${definition.serviceName}.${method.name}`);
        const contract = contractOf(method.name);
        // The proto decides what is public; a handler cannot open a method its contract protects.
        if (publicMethods.has(key) && !contract.access.public) {
          throw new Error(`${definition.serviceName}.${method.name} is not declared public in its proto`);
        }
        const isPublic = contract.access.public;
        implementation[method.name] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
          if (inFlight >= maxInFlight) {
            callback(
              toServiceError(
                new DomainError('OVERLOADED', 'the service is at capacity; retry shortly', {
                  metadata: { max_in_flight: String(maxInFlight) },
                }),
              ) as ServiceError,
            );
            return;
          }
          inFlight++;
          const started = performance.now();
          const deadline = call.getDeadline();
          const run = async (): Promise<unknown> => {
            let caller: Caller | null = null;
            const token = bearerToken(call.metadata);
            if (token) caller = await options.verifyToken(token);
            else if (!isPublic) throw new UnauthenticatedError('internal token required');
            // Scopes, field rules and ownership from the proto, for every caller (the gateway or an internal system).
            contract.enforce(isPublic ? null : caller, call.request as Record<string, unknown>);
            const context: CallContext = {
              caller,
              metadata: call.metadata,
              deadline: deadline instanceof Date ? deadline : Number.isFinite(deadline) ? new Date(deadline) : null,
              peer: call.getPeer(),
              logger,
            };
            return handler(call.request, context);
          };
          run()
            .finally(() => {
              inFlight--;
            })
            .then(
              (response) => {
                logger.debug({ method: method.path, ms: performance.now() - started }, 'grpc call');
                callback(null, response);
              },
              (error: unknown) => {
                if (!(error instanceof DomainError))
                  logger.error({ err: error, method: method.path }, 'grpc call failed');
                else logger.debug({ method: method.path, reason: error.reason }, 'grpc call refused');
                callback(toServiceError(error) as ServiceError);
              },
            );
        };
      }
      server.addService(grpcService, implementation);
      health.set(definition.serviceName, 'NOT_SERVING');
    },
    listen(address) {
      return new Promise((resolve, reject) => {
        server.bindAsync(address, ServerCredentials.createInsecure(), (error, port) => {
          if (error) return reject(error);
          health.setAll('SERVING');
          logger.info({ address, port }, 'grpc server listening');
          resolve(port);
        });
      });
    },
    async shutdown(graceMs = 10_000) {
      health.setAll('NOT_SERVING');
      health.closeWatchers();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/** Re-exported so handlers can build errors with status codes without importing grpc-js. */
export { status as GrpcStatus };
