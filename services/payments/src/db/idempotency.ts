import { DomainError } from '@fintech/kit';
import type pg from 'pg';
import { IdempotencyInProgressError, IdempotencyKeyReusedError } from '../domain/errors';
import type { Tx } from '../deps';

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
  requestHash: string;
  /** When the record may be forgotten (and the key reused for something else). */
  expiresAt: Date;
}

export type Claim =
  /** This call runs the operation. `resourceId` is set when it resumes one a crashed call had started. */
  { kind: 'owner'; resourceId: string | null } | { kind: 'completed'; outcome: StoredOutcome };

interface RecordRow {
  tool: string;
  request_hash: string;
  state: string;
  locked_until: Date | null;
  resource_id: string | null;
  response: StoredOutcome | null;
  expires_at: Date;
}

/**
 * Idempotency records with Stripe's semantics at our own boundary (docs/decisions/010-payments-idempotency.md):
 *
 * - The first call with a key inserts an `in_progress` record holding a lease and runs the operation.
 * - A call with the same key and the same arguments gets the stored outcome once the first completes; while it runs,
 *   the call waits for it (concurrent duplicates never run twice).
 * - The same key with other arguments or another tool is refused with IDEMPOTENCY_KEY_REUSED.
 * - If the owner dies, its lease stops being renewed; the next call takes the record over and resumes the operation
 *   it had started (the provider request is repeated with the same Stripe Idempotency-Key, so nothing runs twice).
 */
export function createIdempotencyStore(options: {
  pool: pg.Pool;
  leaseMs: number;
  now: () => Date;
  /** Longest wait for a concurrent duplicate when the call has no deadline. */
  maxWaitMs?: number;
}) {
  const { pool, leaseMs, now } = options;
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
    const { rows } = await pool.query<RecordRow>(
      `SELECT "tool", "request_hash", "state", "locked_until", "resource_id"::text AS resource_id, "response", "expires_at"
      FROM "idempotency_records" WHERE "user_id" = $1::uuid AND "key" = $2`,
      [scope.userId, scope.key],
    );
    return rows[0] ?? null;
  }

  async function takeOver(scope: IdempotencyScope): Promise<{ resourceId: string | null } | null> {
    const { rows } = await pool.query<{ resource_id: string | null }>(
      `UPDATE "idempotency_records" SET "locked_until" = $4
      WHERE "user_id" = $1::uuid AND "key" = $2 AND "state" = 'in_progress'
        AND "request_hash" = $3 AND ("locked_until" IS NULL OR "locked_until" <= $5)
      RETURNING "resource_id"::text AS resource_id`,
      [scope.userId, scope.key, scope.requestHash, leaseEnd(), now()],
    );
    const row = rows[0];
    return row ? { resourceId: row.resource_id } : null;
  }

  return {
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
          if (row.locked_until === null || row.locked_until.getTime() <= now().getTime()) {
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

    /** Records the payment or refund this call created, in the transaction that creates it. */
    async attach(tx: Tx, scope: IdempotencyScope, resourceId: string): Promise<void> {
      await tx.$executeRaw`
        UPDATE "idempotency_records" SET "resource_id" = ${resourceId}::uuid
        WHERE "user_id" = ${scope.userId}::uuid AND "key" = ${scope.key}`;
    },

    /** Stores the outcome, in the transaction of the final state change, so both commit or neither. */
    async complete(tx: Tx, scope: IdempotencyScope, outcome: StoredOutcome): Promise<void> {
      await tx.$executeRaw`
        UPDATE "idempotency_records" SET "state" = 'completed', "response" = ${JSON.stringify(outcome)}::jsonb, "locked_until" = NULL
        WHERE "user_id" = ${scope.userId}::uuid AND "key" = ${scope.key}`;
    },

    /**
     * Gives the key back when the call ends without an outcome worth keeping: nothing started (validation, limits,
     * confirmation required) → the record is deleted, as Stripe saves no result for requests that fail before
     * executing; an operation was started but its outcome is unknown (provider unreachable) → the lease is dropped
     * so the next retry resumes it at once.
     */
    async release(scope: IdempotencyScope): Promise<void> {
      // One statement: the two conditions are disjoint (resource_id IS NULL or not).
      await pool.query(
        `WITH given_back AS (
          DELETE FROM "idempotency_records"
          WHERE "user_id" = $1::uuid AND "key" = $2 AND "state" = 'in_progress' AND "resource_id" IS NULL
        )
        UPDATE "idempotency_records" SET "locked_until" = NULL
        WHERE "user_id" = $1::uuid AND "key" = $2 AND "state" = 'in_progress' AND "resource_id" IS NOT NULL`,
        [scope.userId, scope.key],
      );
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;

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
