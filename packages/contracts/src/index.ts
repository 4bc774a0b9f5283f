export { PROTO_ROOT, listProtoFiles } from './proto-files';
export { PROTO_LOADER_OPTIONS, loadPackageDefinition, loadReflectionRoot, type PackageDefinition } from './load';
export { generateContracts } from './codegen';
export type { Input } from './input';
export * as authV1 from './generated/fintech/auth/v1';
export * as commonV1 from './generated/fintech/common/v1';
export * as mcpV1 from './generated/fintech/mcp/v1';
export * as paymentsV1 from './generated/fintech/payments/v1';
export {
  subjects,
  streams,
  clientInfoSchema,
  userSignedInSchema,
  userSignInFailedSchema,
  userProfileUpdatedSchema,
  payeeSchema,
  paymentMethodRefSchema,
  paymentCreatedSchema,
  paymentSucceededSchema,
  paymentFailedSchema,
  paymentDisputedSchema,
  refundCreatedSchema,
  methodAddedSchema,
  type ClientInfo,
  type UserSignedIn,
  type UserSignInFailed,
  type UserProfileUpdated,
  type Payee,
  type PaymentMethodRef,
  type PaymentCreated,
  type PaymentSucceeded,
  type PaymentFailed,
  type PaymentDisputed,
  type RefundCreated,
  type MethodAdded,
} from './events';
export {
  fleetManifest,
  fleetServices,
  fleetStartOrder,
  grpcPortEnv,
  ingressPortEnv,
  type FleetGateway,
  type FleetIngress,
  type FleetProcess,
  type FleetProvider,
  type FleetService,
} from './fleet-manifest';
