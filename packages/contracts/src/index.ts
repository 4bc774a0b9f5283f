export { PROTO_ROOT, listProtoFiles } from './proto-files';
export {
  PROTO_LOADER_OPTIONS,
  loadPackageDefinition,
  loadReflectionRoot,
  reflectionRootOf,
  type PackageDefinition,
  type ReflectionRoot,
} from './load';
export { generateContracts } from './codegen';
export type { Input } from './input';
export { FieldRuleError, checkRequestMessage, coerceUriVariables, toRequestMessage } from './rules/arguments';
export {
  FLOAT_TYPES,
  INT32_TYPES,
  INT64_TYPES,
  UINT32_TYPES,
  fieldRules,
  methodAccess,
  methodOption,
  servicesOf,
  type FieldRules,
  type MethodAccess,
} from './rules/field-rules';
export { messageSchema, type JsonSchema } from './rules/json-schema';
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
  sessionRevokedSchema,
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
  type SessionRevoked,
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
  INFRASTRUCTURE_PORT_ENVS,
  localPortEnvs,
  ingressPortEnv,
  type FleetGateway,
  type FleetIngress,
  type FleetProcess,
  type FleetProvider,
  type FleetService,
} from './fleet-manifest';
