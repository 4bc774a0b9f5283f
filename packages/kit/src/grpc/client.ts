import { Metadata, credentials, makeClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import type { PackageDefinition, ServiceDefinition } from '@grpc/proto-loader';
import { loadPackageDefinition } from '@fintech/contracts';
import { fromServiceError } from '../errors';
import type { ServiceDescriptor } from './server';

/** Per-call options of a fleet client. */
export interface CallOptions {
  /** Internal token sent as `authorization: Bearer …` (overrides the client's default token). */
  token?: string;
  /** Deadline for this call in ms (overrides the client's default). */
  deadlineMs?: number;
  /** Extra metadata (e.g. traceparent, x-forwarded-for). */
  metadata?: Record<string, string>;
}

export interface ClientOptions {
  address: string;
  /** Every call carries a deadline: a callee that hangs never hangs the caller. */
  deadlineMs?: number;
  /** Default token for calls that do not pass one (e.g. a service's own credential). */
  token?: () => string | Promise<string>;
  packageDefinition?: PackageDefinition;
}

/** What every client has besides its RPC methods. */
export interface ClientHandle {
  close(): void;
  readonly channel: Client;
}

let sharedDefinition: PackageDefinition | undefined;

/**
 * A promise-returning client for a generated service definition, over one reused HTTP/2 channel, with a deadline on
 * every call and failures mapped to RemoteCallError (reason and field preserved). `C` is the generated
 * `<Service>Client<CallOptions>` interface: `createServiceClient<authV1.AuthServiceClient<CallOptions>>(authV1.AuthServiceDefinition, …)`.
 */
export function createServiceClient<C>(definition: ServiceDescriptor, options: ClientOptions): C & ClientHandle {
  const packageDefinition = options.packageDefinition ?? (sharedDefinition ??= loadPackageDefinition());
  const grpcService = packageDefinition[definition.serviceName] as ServiceDefinition | undefined;
  if (!grpcService) throw new Error(`service ${definition.serviceName} is not in the package definition`);
  const Constructor = makeClientConstructor(grpcService, definition.serviceName);
  const client = new Constructor(options.address, credentials.createInsecure(), {
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_permit_without_calls': 1,
  });
  const defaultDeadline = options.deadlineMs ?? 5_000;
  const result: Record<string, unknown> = {
    close: () => client.close(),
    channel: client,
  };
  for (const [key, method] of Object.entries(definition.methods)) {
    const fn = (client as unknown as Record<string, (...args: unknown[]) => void>)[method.name];
    if (!fn) throw new Error(`client has no method ${method.name}`);
    result[key] = async (request: object, callOptions: CallOptions = {}) => {
      const metadata = new Metadata();
      const token = callOptions.token ?? (options.token ? await options.token() : undefined);
      if (token) metadata.set('authorization', `Bearer ${token}`);
      for (const [name, value] of Object.entries(callOptions.metadata ?? {})) metadata.set(name, value);
      const deadline = new Date(Date.now() + (callOptions.deadlineMs ?? defaultDeadline));
      return new Promise((resolve, reject) => {
        fn.call(client, request, metadata, { deadline }, (error: ServiceError | null, response: unknown) => {
          if (error) reject(fromServiceError(error));
          else resolve(response);
        });
      });
    };
  }
  return result as C & ClientHandle;
}
