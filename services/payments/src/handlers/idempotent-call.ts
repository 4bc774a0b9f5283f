import { DomainError, ValidationError, sha256Hex } from '@fintech/kit';
import type { PaymentsDeps } from '../deps';
import { replay, type IdempotencyScope } from '../db/idempotency';
import { ProviderUnavailableError } from '../domain/errors';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,255}$/;

/**
 * The idempotency scope of a call: the caller's key, or, without one, a key derived from the caller, the tool and the
 * hash of the canonical arguments that lives for DERIVED_IDEMPOTENCY_WINDOW_SECONDS (decision 010). Derived keys
 * start with "~", which caller keys cannot contain, so the two never collide.
 */
export function idempotencyScope(
  deps: PaymentsDeps,
  input: { userId: string; tool: string; key: string; requestHash: string },
): IdempotencyScope {
  const now = deps.now().getTime();
  if (input.key !== '') {
    if (!IDEMPOTENCY_KEY.test(input.key)) {
      throw new ValidationError(
        'idempotency_key must be 1-255 letters, digits, ".", "_", ":" or "-"',
        'idempotency_key',
      );
    }
    return {
      userId: input.userId,
      key: input.key,
      displayKey: input.key,
      tool: input.tool,
      requestHash: input.requestHash,
      expiresAt: new Date(now + deps.config.IDEMPOTENCY_RETENTION_SECONDS * 1000),
    };
  }
  return {
    userId: input.userId,
    key: `~derived:${input.tool}:${input.requestHash}`,
    displayKey: '(derived from the arguments)',
    tool: input.tool,
    requestHash: input.requestHash,
    expiresAt: new Date(now + deps.config.DERIVED_IDEMPOTENCY_WINDOW_SECONDS * 1000),
  };
}

/** The Idempotency-Key sent to Stripe for a resource created under our key: stable across retries and takeovers. */
export function providerKey(prefix: string, scope: IdempotencyScope, resourceId: string): string {
  return `${prefix}-${sha256Hex(`${scope.userId}\u0000${scope.key}`).slice(0, 32)}-${resourceId}`;
}

/**
 * Runs `operation` at most once per idempotency scope. Duplicates (concurrent or later) get the stored outcome.
 * `operation` receives the id of the resource a crashed earlier attempt had created, to resume it; it must store its
 * outcome with `deps.idempotency.complete` in its final transaction. When it ends without having stored one, the
 * key is given back (see IdempotencyStore.release).
 */
export async function runIdempotent<T>(
  deps: PaymentsDeps,
  scope: IdempotencyScope,
  deadline: Date | null,
  operation: (resumeId: string | null) => Promise<T>,
): Promise<T> {
  const claim = await deps.idempotency.claim(scope, deadline);
  if (claim.kind === 'completed') return replay<T>(claim.outcome);
  const stop = deps.idempotency.keepAlive(scope);
  try {
    return await operation(claim.resourceId);
  } catch (error) {
    if (!(error instanceof DomainError)) {
      deps.logger.error({ err: error, tool: scope.tool }, 'payment operation failed unexpectedly');
      throw new ProviderUnavailableError('the operation did not complete; retry with the same idempotency key');
    }
    throw error;
  } finally {
    stop();
    // A completed record is left alone; one without an outcome (a refusal before anything started, a confirmation
    // asked for, an outage) is given back at once, so the next call does not wait for the lease to lapse.
    await deps.idempotency.release(scope).catch((err: unknown) => {
      deps.logger.error({ err }, 'could not release an idempotency key');
    });
  }
}
