export { ConfigError, parseEnv, portSchema, flagSchema, serviceEnvShape, serviceEnv } from './env';
export { createLogger, REDACTED_PATHS, type Logger } from './logger';
export { stopOnSignals } from './lifecycle';
export {
  DomainError,
  ValidationError,
  NotFoundError,
  PermissionDeniedError,
  UnauthenticatedError,
  RemoteCallError,
  toServiceError,
  fromServiceError,
  ERROR_REASON_KEY,
  ERROR_FIELD_KEY,
  type ErrorReason,
  type DomainErrorOptions,
} from './errors';
export {
  MoneyError,
  MAX_MINOR_UNITS,
  SUPPORTED_CURRENCIES,
  normalizeCurrency,
  currencyExponent,
  toMinorUnits,
  parseMinor,
  fromMinorUnits,
  moneyFromProto,
  moneyToProto,
  assertPositive,
  type MoneyErrorCode,
  type Money,
  type MoneyProto,
  type MoneyOptions,
} from './money';
export { randomToken, sha256Hex, timingSafeEqualString } from './crypto/secrets';
export {
  FieldDecryptionError,
  FieldKeyError,
  createFieldCipher,
  parseFieldKeys,
  type FieldAad,
  type FieldCipher,
  type FieldCipherOptions,
  type FieldKeyInput,
} from './crypto/field-encryption';
export { createPool } from './db/create-pool';
export type { CreatePoolOptions } from './db/create-pool';
export { createPrismaAdapter } from './db/create-prisma-adapter';
export type { CreatePrismaAdapterOptions } from './db/create-prisma-adapter';
export {
  runMigrations,
  migrationChecksum,
  MigrationChecksumError,
  MigrationFailedError,
  MigrationIncompleteError,
} from './db/run-migrations';
export type { RunMigrationsOptions } from './db/run-migrations';
export { dropSchema } from './db/drop-schema';
export { SCHEMA_NAME_PATTERN, assertSchemaName, quoteIdentifier, searchPathOption } from './db/schema-name';
export { migrateServiceSchema, KIT_MIGRATION_SETS, KIT_MIGRATIONS_TABLE, OUTBOX_MIGRATIONS } from './db/kit-migrations';
export type { MigrationSet, MigrateServiceSchemaOptions } from './db/kit-migrations';
export { newEventId, eventIdTime, UUID_V7_PATTERN } from './events/event-id';
export {
  subjectPattern,
  isEventSubject,
  assertEventSubject,
  InvalidEventSubjectError,
  createEvent,
  eventEnvelopeSchema,
  parseEventEnvelope,
} from './events/envelope';
export type { EventEnvelope, CreateEventInput } from './events/envelope';
export { fromPrisma, fromPg, toSqlExecutor } from './events/sql-executor';
export type { SqlExecutor, SqlExecutorLike, PrismaRawExecutor, PgQueryable } from './events/sql-executor';
export { enqueueEvents, recordEvents } from './events/enqueue-events';
export { createOutboxRelay } from './events/outbox-relay';
export type { OutboxRelay, OutboxRelayOptions, PublishedEvent } from './events/outbox-relay';
export { ensureStream } from './events/ensure-stream';
export type { EnsureStreamOptions } from './events/ensure-stream';
export { createConsumer } from './events/create-consumer';
export type { ConsumerOptions, EventConsumer } from './events/create-consumer';
export { processEventOnce } from './events/process-event-once';
export type { EventHandler, ProcessEventOnceOptions } from './events/process-event-once';
export { connectNats, jetstream, jetstreamManager } from './events/nats';
export type { ConnectNatsOptions } from './events/nats';
export type { NatsConnection } from '@nats-io/transport-node';
export {
  createGrpcServer,
  GrpcStatus,
  type AuthenticatedContext,
  type CallContext,
  type GrpcServer,
  type GrpcServerOptions,
  type Handlers,
  type ServiceDescriptor,
} from './grpc/server';
export { createServiceClient, type CallOptions, type ClientOptions, type ClientHandle } from './grpc/client';
export { HealthService } from './grpc/health';
export { bearerToken, clientInfo } from './grpc/metadata';
export { fleetDescriptors, parseArguments, serviceContract, type RpcContract } from './grpc/contract';
export {
  type Caller,
  ROLE_SCOPES,
  READ_ANY_SCOPE,
  WRITE_ANY_SCOPE,
  scopesForRole,
  hasScopes,
  requireScopes,
  resolveUserId,
} from './auth/caller';
export {
  INTERNAL_AUDIENCE,
  INTERNAL_TOKEN_TYPE,
  ACCESS_TOKEN_TYPE,
  TOKEN_ALGORITHM,
  createJwksCache,
  createTokenVerifier,
  createInternalTokenVerifier,
  callerFromClaims,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './auth/tokens';
export { createJwksFetcher } from './auth/jwks-source';
export {
  defineService,
  servicePackageDefinition,
  type ServiceConfig,
  type ServiceContext,
  type ServiceDeclaration,
  type ConsumerDeclaration,
  type DefinedService,
  type RunningService,
  type StartOptions,
  type HttpApp,
  type SandboxUrls,
  type SandboxWiring,
} from './service/define-service';
export { canonicalJson, argumentsHash, CALL_CONTROL_ARGUMENTS } from './safety/canonical';
export {
  IdempotencyKeyReusedError,
  IdempotencyInProgressError,
  OutcomeUnknownError,
  ConfirmationRefusedError,
  StepUpRequiredError,
  LimitExceededError,
} from './safety/errors';
export {
  createIdempotencyStore,
  attachSql,
  completeSql,
  providerIdempotencyKey,
  replay,
  storedError,
} from './safety/idempotency';
export type {
  IdempotencyStore,
  IdempotencyStoreOptions,
  IdempotencyScope,
  StoredOutcome,
  Claim,
} from './safety/idempotency';
export { createConfirmationStore } from './safety/confirmations';
export type { ConfirmationStore, ConfirmationStoreOptions, ConfirmationBinding } from './safety/confirmations';
export { requireStepUp } from './safety/step-up';
export type { StepUpVerifier } from './safety/step-up';
export { checkAmountLimits, needsConfirmation, combineLimits, ROLLING_WINDOW_MS } from './safety/limits';
export type { AmountLimits, LimitWording } from './safety/limits';
export { SAFETY_MIGRATIONS } from './safety/schema';
export type { SafetyQueryable } from './safety/sql';
