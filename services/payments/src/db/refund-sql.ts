import {
  attachSql,
  completeSql,
  recordEvents,
  type CreateEventInput,
  type IdempotencyScope,
  type StoredOutcome,
} from '@fintech/kit';
import type pg from 'pg';
import type { Merchant, Refund } from '../generated/prisma/client';
import type { PaymentWithMethod } from '../domain/payment-state';
import { refundAmount, RESERVING_REFUND_STATUSES } from '../domain/refund';
import {
  merchantOf,
  paymentOf,
  PAYMENT_WITH_METHOD_COLUMNS,
  executorOf,
  withTransaction,
  type MerchantRow,
  type PaymentWithMethodRow,
  type SqlClient,
} from './sql';

interface RefundRow {
  id: string;
  payment_id: string;
  user_id: string;
  amount_minor: string;
  currency: string;
  reason: string;
  status: string;
  stripe_refund_id: string | null;
  stripe_idempotency_key: string;
  created_at: Date;
  updated_at: Date;
}

const REFUND_COLUMNS = `r.id::text AS id, r.payment_id::text AS payment_id, r.user_id::text AS user_id,
  r.amount_minor::text AS amount_minor, r.currency, r.reason, r.status, r.stripe_refund_id, r.stripe_idempotency_key,
  r.created_at, r.updated_at`;

function refundOf(row: RefundRow): Refund {
  return {
    id: row.id,
    paymentId: row.payment_id,
    userId: row.user_id,
    amountMinor: BigInt(row.amount_minor),
    currency: row.currency,
    reason: row.reason,
    status: row.status,
    stripeRefundId: row.stripe_refund_id,
    stripeIdempotencyKey: row.stripe_idempotency_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// Constants, written into the statement: it travels with BEGIN, whose literals cannot be arrays (db/sql.ts).
const RESERVING = RESERVING_REFUND_STATUSES.map((status) => `'${status}'`).join(', ');

/**
 * Reserves a refund before the provider hears of it: with the payment row locked, so concurrent refunds see each
 * other, the amount is decided (domain/refund.ts), then the pending refund is inserted and linked to the call's
 * idempotency record in the statement that commits.
 */
export async function reserveRefund(
  pool: pg.Pool,
  input: {
    paymentId: string;
    requested: bigint | null;
    reason: string;
    scope: IdempotencyScope;
    refundId: string;
    stripeIdempotencyKey: string;
    now: Date;
  },
): Promise<void> {
  await withTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{
      status: string;
      user_id: string;
      amount_minor: string;
      refunded_minor: string;
      currency: string;
      reserved: string;
    }>(
      `SELECT p.status, p.user_id::text AS user_id, p.amount_minor::text AS amount_minor,
         p.refunded_minor::text AS refunded_minor, p.currency,
         (SELECT COALESCE(SUM(r.amount_minor), 0)::text FROM "refunds" r
           WHERE r.payment_id = p.id AND r.status IN (${RESERVING})) AS reserved
       FROM "payments" p WHERE p.id = $1::uuid FOR UPDATE`,
      [input.paymentId],
    );
    const payment = rows[0];
    if (!payment) throw new Error(`payment ${input.paymentId} not found`);
    const amount = refundAmount({
      paymentStatus: payment.status,
      paid: BigInt(payment.amount_minor),
      refunded: BigInt(payment.refunded_minor),
      reserved: BigInt(payment.reserved),
      requested: input.requested,
      currency: payment.currency,
    });
    const params: unknown[] = [
      input.refundId,
      input.paymentId,
      payment.user_id,
      amount.toString(),
      payment.currency,
      input.reason,
      input.stripeIdempotencyKey,
      input.now,
    ];
    const attach = attachSql(params, input.scope, input.refundId);
    await tx.queryAndCommit(
      `WITH created AS (
         INSERT INTO "refunds" ("id", "payment_id", "user_id", "amount_minor", "currency", "reason", "status",
           "stripe_idempotency_key", "created_at", "updated_at")
         VALUES ($1::uuid, $2::uuid, $3::uuid, $4::bigint, $5, $6, 'pending', $7, $8, $8)
       ) ${attach}`,
      params,
    );
  });
}

/** A refund with the PaymentIntent it refunds. */
export async function loadRefund(
  pool: pg.Pool,
  refundId: string,
): Promise<{ refund: Refund; paymentIntentId: string | null } | null> {
  const { rows } = await pool.query<RefundRow & { stripe_payment_intent_id: string | null }>(
    `SELECT ${REFUND_COLUMNS}, p.stripe_payment_intent_id
     FROM "refunds" r JOIN "payments" p ON p.id = r.payment_id WHERE r.id = $1::uuid`,
    [refundId],
  );
  const row = rows[0];
  return row ? { refund: refundOf(row), paymentIntentId: row.stripe_payment_intent_id } : null;
}

/**
 * Records what the provider answered for a pending refund, in one transaction: the refund's status (once: only a
 * pending refund moves), the payment's refunded total when it succeeded (never lowered: a charge.refunded webhook may
 * have recorded a larger total already), then — with the payment as it now is — its event (when it moved to a
 * non-failed state) and the call's idempotent outcome, in the statement that commits.
 */
export async function settleRefund(
  pool: pg.Pool,
  input: {
    refundId: string;
    status: string;
    stripeRefundId: string | null;
    /** The charge's refunded total the provider reported with this refund, if any. */
    providerRefundedMinor: bigint | null;
    now: Date;
    event: (refund: Refund, payment: PaymentWithMethod) => CreateEventInput;
    scope: IdempotencyScope;
    outcome: (refund: Refund, payment: PaymentWithMethod, merchant: Merchant | null) => StoredOutcome;
  },
): Promise<void> {
  await withTransaction(pool, async (tx: SqlClient) => {
    const moved = await tx.query<{ payment_id: string }>(
      `UPDATE "refunds" SET "status" = $2, "stripe_refund_id" = $3, "updated_at" = $4
       WHERE "id" = $1::uuid AND "status" = 'pending' RETURNING "payment_id"::text AS payment_id`,
      [input.refundId, input.status, input.stripeRefundId, input.now],
    );
    const changed = moved.rowCount === 1;
    if (changed && input.status === 'succeeded') {
      // The larger of our succeeded refunds and the provider's total (which also counts refunds made elsewhere);
      // never lowered, as a charge.refunded webhook may have recorded more already.
      await tx.query(
        `UPDATE "payments" p SET "refunded_minor" = GREATEST(t.total, $3::bigint), "updated_at" = $2
         FROM (SELECT COALESCE(SUM("amount_minor"), 0) AS total FROM "refunds"
               WHERE "payment_id" = $1::uuid AND "status" = 'succeeded') t
         WHERE p.id = $1::uuid AND p.refunded_minor < GREATEST(t.total, $3::bigint)`,
        [moved.rows[0]!.payment_id, input.now, (input.providerRefundedMinor ?? 0n).toString()],
      );
    }
    const { rows } = await tx.query<PaymentWithMethodRow & MerchantRow & { refund: RefundRow }>(
      `SELECT ${PAYMENT_WITH_METHOD_COLUMNS},
         x.id AS merchant_id, x.display_name AS merchant_display_name, x.stripe_account_id AS merchant_stripe_account_id,
         x.created_at AS merchant_created_at,
         (SELECT row_to_json(q) FROM (SELECT ${REFUND_COLUMNS} FROM "refunds" r WHERE r.id = $1::uuid) q) AS refund
       FROM "refunds" rr
       JOIN "payments" p ON p.id = rr.payment_id
       JOIN "payment_methods" m ON m.id = p.payment_method_id
       LEFT JOIN "merchants" x ON p.destination_type = 'merchant' AND x.id = p.destination_id
       WHERE rr.id = $1::uuid`,
      [input.refundId],
    );
    const row = rows[0]!;
    const payment = paymentOf(row);
    const json = row.refund;
    const refund = refundOf({
      ...json,
      created_at: new Date(json.created_at),
      updated_at: new Date(json.updated_at),
    });
    if (changed && input.status !== 'failed') await recordEvents(executorOf(tx), [input.event(refund, payment)]);
    const params: unknown[] = [];
    const complete = completeSql(params, input.scope, input.outcome(refund, payment, merchantOf(row)));
    await tx.queryAndCommit(complete, params);
  });
}

/** The payment a refund call names, when it is the caller's (ownership is part of the query). */
export async function findOwnedPaymentRef(
  pool: pg.Pool,
  userId: string,
  paymentId: string,
): Promise<{ id: string; currency: string } | null> {
  const { rows } = await pool.query<{ id: string; currency: string }>(
    'SELECT "id"::text AS id, "currency" FROM "payments" WHERE "id" = $1::uuid AND "user_id" = $2::uuid',
    [paymentId, userId],
  );
  return rows[0] ?? null;
}
