import { sha256Hex } from '../crypto/secrets';
import { DomainError, ValidationError } from '../errors';
import { toSqlExecutor, type SqlExecutorLike } from '../events/sql-executor';
import type { Logger } from '../logger';
import { IdempotencyInProgressError, IdempotencyKeyReusedError, OutcomeUnknownError } from './errors';
import type { SafetyQueryable } from './sql';

/** What an idempotency record answers with once its call completed. */
export type StoredOutcome =
  { ok: unknown } | { error: { reason: string; message: string; field?: string; metadata?: Record<string, string> } };

/** One idempotent call: who, under which key, for which tool and arguments. */
export interface IdempotencyScope {
  userId: string;
  /** The stored key: the caller's own, or `~derived:<tool>:<hash>` when none was given. */
  key: string;
  /** The key as the caller knows it, for error messages (the derived key is not shown). */
  displayKey: string;
  tool: string;
  /** {@link argumentsHash} of the call. */
  requestHash: string;
  /** When the record may be forgotten (and the key reused for something else). */
  expiresAt: Date;
}

export type Claim =
  /** This call runs the operation. `resourceId` is set when it resumes one a crashed call had started. */
  { kind: 'owner'; resourceId: string | null } | { kind: 'completed'; outcome: StoredOutcome };

/**
 * The states of a record. `in_progress`: a call holds the lease (or held it and died; the lease then lapses).
 * `open`: the key is bound to its tool and arguments, but its calls were answered without an outcome worth keeping
 * (confirmation asked for, a limit, a refused token); the next call with the same arguments runs again, one with
 * other arguments is refused. `completed`: the outcome is stored and replayed.
 */
type RecordState = 'in_progress' | 'open' | 'completed';

interface RecordRow {
  tool: string;
  request_hash: string;
  state: RecordState;
  locked_until: Date | null;
  resource_id: string | null;
  response: StoredOutcome | null;
}

/** Keys callers may choose: Stripe's alphabet, so the derived keys' "~" can never collide with one. */
const CALLER_KEY = /^[A-Za-z0-9._:-]{1,255}$/;

/** Options of {@link createIdempotencyStore}. */
export interface IdempotencyStoreOptions {
  /** The service's pool (its search_path is the service's schema, where the kit's safety migration ran). */
  pool: SafetyQueryable;
  /** How long a call owns its key without renewing; renewed every leaseMs/3 while it runs. */
  leaseMs: number;
  /** How long an explicit key stays bound (Stripe keeps keys 24 hours). */
  retentionSeconds: number;
  /** How long a key derived from the arguments lives, from the first call. */
  derivedWindowSeconds: number;
  now?: () => Date;
  /** Longest wait for a concurrent duplicate when the call has no deadline. */
  maxWaitMs?: number;
  /** Receives operations that failed with something other than a DomainError. */
  logger?: Pick<Logger, 'error'>;
}

/**
 * Idempotency records with Stripe's semantics at our own boundary (docs/decisions/010-payments-idempotency.md,
 * 017-agent-safety-in-the-kit.md):
 *
 * - The first call with a key inserts an `in_progress` record holding a lease and runs the operation.
 * - A call with the same key and the same arguments gets the stored outcome once the first completes; while it runs,
 *   the call waits for it (concurrent duplicates never run twice).
 * - The same key with other arguments or another tool is refused with IDEMPOTENCY_KEY_REUSED, from the key's first
 *   answer on, whatever that answer was (an outcome, a confirmation asked for, a refusal).
 * - If the owner dies, its lease stops being renewed; the next call takes the record over and resumes the operation
 *   it had started (the provider request is repeated with the same provider key, so nothing runs twice).
 */
export function createIdempotencyStore(options: IdempotencyStoreOptions) {
  const { pool, leaseMs } = options;
  const now = options.now ?? (() => new Date());
  const maxWaitMs = options.maxWaitMs ?? 10_000;
  const leaseEnd = () => new Date(now().getTime() + leaseMs);

  async function tryInsert(scope: IdempotencyScope): Promise<boolean> {
    // A record past its expiry is replaced as if it did not exist (the key may be used again after retention).
    const at = now();
    const { rowCount } = await pool.query(
      `INSERT INTO "idempotency_records" ("user_id", "key", "tool", "request_hash", "state", "locked_until", "expires_at", "created_at")
      VALUES ($1::uuid, $2, $3, $4, 'in_progress', $5, $6, $7)
      ON CONFLICT ("user_id", "key") DO UPDATE SET
        "tool" = EXCLUDED."tool", "request_hash" = EXCLUDED."request_hash", "state" = 'in_progress',
        "locked_until" = EXCLUDED."locked_until", "resource_id" = NULL, "response" = NULL,
        "expires_at" = EXCLUDED."expires_at", "created_at" = EXCLUDED."created_at"
      WHERE "idempotency_records"."expires_at" <= $7`,
      [scope.userId, scope.key, scope.tool, scope.requestHash, leaseEnd(), scope.expiresAt, at],
    );
    return rowCount === 1;
  }

  async function read(scope: IdempotencyScope): Promise<RecordRow | null> {
    const { rows } = await pool.query(
      `SELECT "tool", "request_hash", "state", "locked_until", "resource_id"::text AS resource_id, "response"
      FROM "idempotency_records" WHERE "user_id" = $1::uuid AND "key" = $2`,
      [scope.userId, scope.key],
    );
    return (rows[0] as RecordRow | undefined) ?? null;
  }

  /** Takes an open record, or an in-progress one whose owner's lease lapsed; null when another call got it first. */
  async function takeOver(scope: IdempotencyScope): Promise<{ resourceId: string | null } | null> {
    const { rows } = await pool.query(
      `UPDATE "idempotency_records" SET "state" = 'in_progress', "locked_until" = $4
      WHERE "user_id" = $1::uuid AND "key" = $2 AND "request_hash" = $3
        AND ("state" = 'open' OR ("state" = 'in_progress' AND ("locked_until" IS NULL OR "locked_until" <= $5)))
      RETURNING "resource_id"::text AS resource_id`,
      [scope.userId, scope.key, scope.requestHash, leaseEnd(), now()],
    );
    const row = rows[0] as { resource_id: string | null } | undefined;
    return row ? { resourceId: row.resource_id } : null;
  }

  const store = {
    /**
     * The scope of a call: the caller's key (validated; kept `retentionSeconds`), or, without one, a key derived from
     * the caller, the tool and the arguments' hash that lives `derivedWindowSeconds` from the first call. An agent
     * retrying after a timeout without a key gets the first result; derived keys start with "~", which caller keys
     * cannot contain, so the two never collide.
     */
    scope(input: { userId: string; tool: string; key: string; requestHash: string }): IdempotencyScope {
      const at = now().getTime();
      if (input.key !== '') {
        if (!CALLER_KEY.test(input.key)) {
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
          expiresAt: new Date(at + options.retentionSeconds * 1000),
        };
      }
      return {
        userId: input.userId,
        key: `~derived:${input.tool}:${input.requestHash}`,
        displayKey: '(derived from the arguments)',
        tool: input.tool,
        requestHash: input.requestHash,
        expiresAt: new Date(at + options.derivedWindowSeconds * 1000),
      };
    },

    /**
     * Claims the key for this call, or waits for the call that holds it and returns its outcome. Refuses a key
     * reused with other arguments. `deadline` bounds the wait (the gRPC call's deadline).
     */
    async claim(scope: IdempotencyScope, deadline: Date | null): Promise<Claim> {
      const waitUntil = Math.min(
        deadline ? deadline.getTime() - 250 : Number.POSITIVE_INFINITY,
        Date.now() + maxWaitMs,
      );
      let delay = 15;
      for (;;) {
        if (await tryInsert(scope)) return { kind: 'owner', resourceId: null };
        const row = await read(scope);
        if (row) {
          if (row.tool !== scope.tool) throw new IdempotencyKeyReusedError(scope.displayKey, 'tool');
          if (row.request_hash !== scope.requestHash)
            throw new IdempotencyKeyReusedError(scope.displayKey, 'arguments');
          if (row.state === 'completed' && row.response) return { kind: 'completed', outcome: row.response };
          if (row.state === 'open' || row.locked_until === null || row.locked_until.getTime() <= now().getTime()) {
            const taken = await takeOver(scope);
            if (taken) return { kind: 'owner', resourceId: taken.resourceId };
          }
        }
        if (Date.now() + delay > waitUntil) throw new IdempotencyInProgressError(scope.displayKey);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 200);
      }
    },

    /** Keeps the lease of a running call alive; returns the function that stops it. */
    keepAlive(scope: IdempotencyScope): () => void {
      const timer = setInterval(
        () => {
          pool
            .query(
              `UPDATE "idempotency_records" SET "locked_until" = $3
              WHERE "user_id" = $1::uuid AND "key" = $2 AND "state" = 'in_progress'`,
              [scope.userId, scope.key, leaseEnd()],
            )
            .catch(() => undefined);
        },
        Math.max(50, Math.floor(leaseMs / 3)),
      );
      timer.unref();
      return () => clearInterval(timer);
    },

    /** Records the resource (payment, refund, order…) this call created, in the transaction that creates it. */
    async attach(tx: SqlExecutorLike, scope: IdempotencyScope, resourceId: string): Promise<void> {
      const params: unknown[] = [];
      await toSqlExecutor(tx).execute(attachSql(params, scope, resourceId), params);
    },

    /** Stores the outcome, in the transaction of the final state change, so both commit or neither. */
    async complete(tx: SqlExecutorLike, scope: IdempotencyScope, outcome: StoredOutcome): Promise<void> {
      const params: unknown[] = [];
      await toSqlExecutor(tx).execute(completeSql(params, scope, outcome), params);
    },

    /**
     * Ends a call that stored no outcome. The key stays bound to its tool and arguments whatever happened:
     *
     * - nothing was started (a confirmation asked for, a limit, a refused token) → the record becomes `open`: the
     *   same call may run again at once (after the user confirmed or raised a limit), another call with this key is
     *   refused;
     * - a resource was started but its outcome is unknown (provider unreachable) → the lease is dropped, so the next
     *   retry resumes it at once instead of waiting for the lease to lapse.
     */
    async release(scope: IdempotencyScope): Promise<void> {
      await pool.query(
        `UPDATE "idempotency_records"
        SET "locked_until" = NULL, "state" = CASE WHEN "resource_id" IS NULL THEN 'open' ELSE 'in_progress' END
        WHERE "user_id" = $1::uuid AND "key" = $2 AND "state" = 'in_progress'`,
        [scope.userId, scope.key],
      );
    },

    /**
     * Runs `operation` at most once per scope. Duplicates (concurrent or later) get the stored outcome. `operation`
     * receives the id of the resource a crashed earlier attempt had created, to resume it; it must store its outcome
     * with {@link complete} (or {@link completeSql}) in its final transaction. When it ends without one, the key is
     * released (see {@link release}); a failure other than a DomainError is logged and answered as an unknown outcome.
     */
    async run<T>(
      scope: IdempotencyScope,
      deadline: Date | null,
      operation: (resumeId: string | null) => Promise<T>,
    ): Promise<T> {
      const claim = await store.claim(scope, deadline);
      if (claim.kind === 'completed') return replay<T>(claim.outcome);
      const stop = store.keepAlive(scope);
      try {
        return await operation(claim.resourceId);
      } catch (error) {
        if (error instanceof DomainError) throw error;
        options.logger?.error({ err: error, tool: scope.tool }, 'idempotent operation failed unexpectedly');
        throw new OutcomeUnknownError();
      } finally {
        stop();
        // A completed record is left alone (the statement matches in_progress only).
        await store.release(scope).catch((err: unknown) => {
          options.logger?.error({ err, tool: scope.tool }, 'could not release an idempotency key');
        });
      }
    },
  };
  return store;
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;

/**
 * The statement linking a record to the resource its call created, for a service that folds it into a statement of
 * its own (a data-modifying CTE). Appends its parameters to `params` and numbers them after those already there.
 */
export function attachSql(params: unknown[], scope: IdempotencyScope, resourceId: string): string {
  const n = params.push(resourceId, scope.userId, scope.key);
  return `UPDATE "idempotency_records" SET "resource_id" = $${n - 2}::uuid WHERE "user_id" = $${n - 1}::uuid AND "key" = $${n}`;
}

/** The statement storing a call's outcome, for a data-modifying CTE; see {@link attachSql}. */
export function completeSql(params: unknown[], scope: IdempotencyScope, outcome: StoredOutcome): string {
  const n = params.push(JSON.stringify(outcome), scope.userId, scope.key);
  return `UPDATE "idempotency_records" SET "state" = 'completed', "response" = $${n - 2}::jsonb, "locked_until" = NULL
    WHERE "user_id" = $${n - 1}::uuid AND "key" = $${n}`;
}

/**
 * The idempotency key for the provider request made under our key for `resourceId` (Stripe `Idempotency-Key`,
 * Alpaca `client_order_id`): stable across retries and takeovers, so a resumed call repeats the same provider request
 * and the provider's own idempotency returns the first result. 32 hex digits of SHA-256 keep it short and opaque.
 */
export function providerIdempotencyKey(prefix: string, scope: IdempotencyScope, resourceId: string): string {
  return `${prefix}-${sha256Hex(`${scope.userId}\u0000${scope.key}`).slice(0, 32)}-${resourceId}`;
}

/** The outcome a completed record holds, as the original call returned or threw it. */
export function replay<T>(outcome: StoredOutcome): T {
  if ('error' in outcome) {
    const { reason, message, field, metadata } = outcome.error;
    throw new DomainError(reason, message, { field, metadata });
  }
  return outcome.ok as T;
}

/** A DomainError as it is stored for replay. */
export function storedError(error: DomainError): StoredOutcome {
  return {
    error: {
      reason: error.reason,
      message: error.message,
      ...(error.field ? { field: error.field } : {}),
      ...(Object.keys(error.metadata).length > 0 ? { metadata: error.metadata } : {}),
    },
  };
}
