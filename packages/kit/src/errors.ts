import { Metadata, status, type ServiceError } from '@grpc/grpc-js';

/**
 * The fleet's failure vocabulary. Domain code throws these; the gRPC layer maps them to status codes in one place
 * (toServiceError), and clients map statuses back (fromServiceError), so a reason survives every hop.
 */
export type ErrorReason =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'CONFLICT'
  | 'LIMIT_EXCEEDED'
  | 'RATE_LIMITED'
  | 'OVERLOADED'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'INTERNAL'
  | (string & {});

const STATUS_OF: Record<string, status> = {
  VALIDATION_FAILED: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  CONFLICT: status.ABORTED,
  LIMIT_EXCEEDED: status.RESOURCE_EXHAUSTED,
  RATE_LIMITED: status.RESOURCE_EXHAUSTED,
  OVERLOADED: status.RESOURCE_EXHAUSTED,
  UNAVAILABLE: status.UNAVAILABLE,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  INTERNAL: status.INTERNAL,
};

const REASON_OF_STATUS: Partial<Record<status, ErrorReason>> = {
  [status.INVALID_ARGUMENT]: 'VALIDATION_FAILED',
  [status.NOT_FOUND]: 'NOT_FOUND',
  [status.PERMISSION_DENIED]: 'PERMISSION_DENIED',
  [status.UNAUTHENTICATED]: 'UNAUTHENTICATED',
  [status.ALREADY_EXISTS]: 'ALREADY_EXISTS',
  [status.FAILED_PRECONDITION]: 'FAILED_PRECONDITION',
  [status.ABORTED]: 'CONFLICT',
  [status.RESOURCE_EXHAUSTED]: 'LIMIT_EXCEEDED',
  [status.UNAVAILABLE]: 'UNAVAILABLE',
  [status.DEADLINE_EXCEEDED]: 'DEADLINE_EXCEEDED',
};

/** Metadata keys (trailers) that carry the reason and the offending field across gRPC. */
export const ERROR_REASON_KEY = 'fintech-error-reason';
export const ERROR_FIELD_KEY = 'fintech-error-field';

export interface DomainErrorOptions {
  /** The request field at fault. */
  field?: string;
  /** Extra machine-readable facts (e.g. the limit that was hit). Never secrets or personal data. */
  metadata?: Record<string, string>;
  cause?: unknown;
}

/** An expected failure whose message is safe to show to the caller. */
export class DomainError extends Error {
  override readonly name: string = 'DomainError';
  readonly field: string | undefined;
  readonly metadata: Record<string, string>;

  constructor(
    readonly reason: ErrorReason,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.field = options.field;
    this.metadata = options.metadata ?? {};
  }

  /** The gRPC status this failure maps to. */
  get grpcStatus(): status {
    return STATUS_OF[this.reason] ?? status.FAILED_PRECONDITION;
  }
}

export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';
  constructor(message: string, field?: string, metadata?: Record<string, string>) {
    super('VALIDATION_FAILED', message, { field, metadata });
  }
}

export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
  constructor(message = 'not found') {
    super('NOT_FOUND', message);
  }
}

export class PermissionDeniedError extends DomainError {
  override readonly name = 'PermissionDeniedError';
  constructor(message = 'permission denied') {
    super('PERMISSION_DENIED', message);
  }
}

export class UnauthenticatedError extends DomainError {
  override readonly name = 'UnauthenticatedError';
  constructor(message = 'authentication required', reason: ErrorReason = 'UNAUTHENTICATED') {
    super(reason, message);
  }
  override get grpcStatus(): status {
    return status.UNAUTHENTICATED;
  }
}

/** Turns any thrown value into a gRPC error. Unexpected errors become INTERNAL with no detail leaked. */
export function toServiceError(error: unknown): Partial<ServiceError> & { code: status; details: string } {
  const metadata = new Metadata();
  if (error instanceof DomainError) {
    metadata.set(ERROR_REASON_KEY, error.reason);
    if (error.field) metadata.set(ERROR_FIELD_KEY, error.field);
    for (const [key, value] of Object.entries(error.metadata)) metadata.set(`fintech-error-meta-${key}`, value);
    return { code: error.grpcStatus, details: error.message, metadata };
  }
  metadata.set(ERROR_REASON_KEY, 'INTERNAL');
  return { code: status.INTERNAL, details: 'internal error', metadata };
}

/** The failure of an outgoing gRPC call, with the callee's reason and field when it sent them. */
export class RemoteCallError extends DomainError {
  override readonly name = 'RemoteCallError';
  constructor(
    readonly code: status,
    reason: ErrorReason,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(reason, message, options);
  }
  override get grpcStatus(): status {
    return this.code;
  }
}

/** Maps a grpc-js client error back to a RemoteCallError. */
export function fromServiceError(error: ServiceError): RemoteCallError {
  const reasonValue = error.metadata?.get(ERROR_REASON_KEY)[0];
  const fieldValue = error.metadata?.get(ERROR_FIELD_KEY)[0];
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(error.metadata?.getMap() ?? {})) {
    if (key.startsWith('fintech-error-meta-')) metadata[key.slice('fintech-error-meta-'.length)] = String(value);
  }
  const reason = typeof reasonValue === 'string' ? reasonValue : (REASON_OF_STATUS[error.code] ?? 'INTERNAL');
  const message =
    error.code === status.UNAVAILABLE
      ? 'service unavailable'
      : error.code === status.DEADLINE_EXCEEDED
        ? 'deadline exceeded'
        : error.details || 'remote call failed';
  return new RemoteCallError(error.code, reason, message, {
    field: typeof fieldValue === 'string' ? fieldValue : undefined,
    metadata,
    cause: error,
  });
}
