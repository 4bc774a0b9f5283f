export {
  createGrpcServer,
  GrpcStatus,
  type AuthenticatedContext,
  type CallContext,
  type GrpcServer,
  type GrpcServerOptions,
  type Handlers,
  type ServiceDescriptor,
} from './server';
export { createServiceClient, type CallOptions, type ClientOptions, type ClientHandle } from './client';
export { HealthService } from './health';
export { bearerToken, clientInfo } from './metadata';
export { fleetDescriptors, parseArguments, serviceContract, type RpcContract } from './contract';
