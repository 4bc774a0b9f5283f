import {
  FieldRuleError,
  checkRequestMessage,
  loadReflectionRoot,
  methodAccess,
  toRequestMessage,
  type MethodAccess,
  type ReflectionRoot,
} from '@fintech/contracts';
import { requireScopes, resolveUserId, type Caller } from '../auth/caller';
import { ValidationError } from '../errors';

function asValidationError(error: unknown): unknown {
  return error instanceof FieldRuleError ? new ValidationError(error.message, error.field) : error;
}

/**
 * Tool arguments (or resource URI variables) → the gRPC request of `type`, by the contract's one validator
 * (@fintech/contracts): unknown fields by own property, `null` refused, NUL and unpaired surrogates refused, field
 * rules checked. Throws the kit's ValidationError naming the field.
 */
export function parseArguments(type: Parameters<typeof toRequestMessage>[0], args: unknown): Record<string, unknown> {
  try {
    return toRequestMessage(type, args);
  } catch (error) {
    throw asValidationError(error);
  }
}

/** What a server enforces for one RPC before its handler runs, read from the RPC's proto options. */
export interface RpcContract {
  access: MethodAccess;
  /**
   * Checks a decoded request: scopes; ownership of a top-level `user_id` ("me" or empty becomes the caller; another
   * user's id needs users:read_any for reads and users:write_any for changes), rewriting `user_id` to the resolved id
   * so the handler acts on exactly what was authorised; then field rules. A null caller is a call let through
   * without a token (a public RPC): field rules only.
   */
  enforce(caller: Caller | null, request: Record<string, unknown>): void;
}

let fleetRoot: ReflectionRoot | undefined;

/** The fleet's protos as one reflection root, loaded once per process. */
export function fleetDescriptors(): ReflectionRoot {
  fleetRoot ??= loadReflectionRoot();
  return fleetRoot;
}

/**
 * The contract of every RPC of a service, from the same descriptors the gateway builds its catalog from. Throws when
 * the descriptors do not hold the service: a service is never served without its contract.
 */
export function serviceContract(root: ReflectionRoot, serviceName: string): (method: string) => RpcContract {
  let service;
  try {
    service = root.lookupService(serviceName);
  } catch {
    throw new Error(`the contract descriptors do not hold ${serviceName}; pass its protos as \`descriptors\``);
  }
  return (methodName) => {
    const method = service.methods[methodName];
    if (!method || !Object.prototype.hasOwnProperty.call(service.methods, methodName)) {
      throw new Error(`${serviceName} has no method ${methodName} in its contract`);
    }
    method.resolve();
    const requestType = method.resolvedRequestType!;
    const access = methodAccess(method);
    const userIdField = Object.prototype.hasOwnProperty.call(requestType.fields, 'user_id')
      ? requestType.fields.user_id
      : undefined;
    const ownsUserId = userIdField?.type === 'string' && !userIdField.repeated;
    return {
      access,
      enforce(caller, request) {
        // Authorisation first, so a caller learns nothing about a request it may not make.
        if (caller) requireScopes(caller, access.scopes);
        if (caller && ownsUserId) {
          const requested = typeof request.user_id === 'string' ? request.user_id : '';
          request.user_id = resolveUserId(caller, requested, access.readOnly ? 'read' : 'write');
        }
        try {
          checkRequestMessage(requestType, request);
        } catch (error) {
          throw asValidationError(error);
        }
      },
    };
  };
}
