import {
  attachSql,
  completeSql,
  createEvent,
  type CreateEventInput,
  type IdempotencyScope,
  type StoredOutcome,
} from '@fintech/kit';
import type pg from 'pg';
import type { Merchant, Payment, PaymentMethod } from '../generated/prisma/client';
import { applyChange, COMMITTED_STATUSES, type PaymentChange, type PaymentWithMethod } from '../domain/payment-state';
import {
  merchantOf,
  methodOf,
  paymentOf,
  PAYMENT_WITH_METHOD_COLUMNS,
  type MerchantRow,
  type MethodRow,
  type PaymentWithMethodRow,
  type SqlClient,
} from './sql';

/** Serialises the payments of one user (limits are checked against the sum of their recent payments). */
export async function lockPayer(client: SqlClient, userId: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`payments:${userId}`]);
}

/** Everything the checks of a new payment read, in one statement (run after lockPayer, so the sum is current). */
export interface PaymentContext {
  /** The source, when it is a method of this user. */
  method: PaymentMethod | null;
  merchant: Merchant | null;
  /** The payer's Stripe customer. */
  payerCustomerId: string | null;
  /** The payer's own limits in this currency (user_limits); a null field keeps the default. */
  ownLimits: {
    perOperationMax: bigint | null;
    rollingTotalMax: bigint | null;
    confirmationThreshold: bigint | null;
  } | null;
  spent: bigint;
}

type ContextRow = { [K in keyof MethodRow]: MethodRow[K] | null } & MerchantRow & {
    payer_customer_id: string | null;
    has_limits: boolean;
    per_payment_max_minor: string | null;
    daily_total_max_minor: string | null;
    confirmation_threshold_minor: string | null;
    spent: string;
  };

const optionalBigint = (value: string | null) => (value === null ? null : BigInt(value));

export async function readPaymentContext(
  client: SqlClient,
  input: {
    userId: string;
    /** null when the source is not a UUID (it then cannot be a method). */
    methodId: string | null;
    destinationId: string;
    currency: string;
    since: Date;
  },
): Promise<PaymentContext> {
  const { rows } = await client.query<ContextRow>(
    `SELECT
       m.id::text AS m_id, m.user_id::text AS m_user_id, m.stripe_payment_method_id AS m_stripe_payment_method_id,
       m.type AS m_type, m.brand AS m_brand, m.last4 AS m_last4, m.exp_month AS m_exp_month, m.exp_year AS m_exp_year,
       m.fingerprint AS m_fingerprint, m.is_default AS m_is_default, m.created_at AS m_created_at,
       x.id AS merchant_id, x.display_name AS merchant_display_name, x.stripe_account_id AS merchant_stripe_account_id,
       x.created_at AS merchant_created_at,
       payer.stripe_customer_id AS payer_customer_id,
       l.user_id IS NOT NULL AS has_limits,
       l.per_payment_max_minor::text AS per_payment_max_minor,
       l.daily_total_max_minor::text AS daily_total_max_minor,
       l.confirmation_threshold_minor::text AS confirmation_threshold_minor,
       (SELECT COALESCE(SUM(s.amount_minor), 0)::text FROM "payments" s
         WHERE s.user_id = $1::uuid AND s.currency = $4 AND s.status = ANY($5::text[]) AND s.created_at >= $6)
         AS spent
     FROM (SELECT 1) AS one
     LEFT JOIN "payment_methods" m ON m.id = $2::uuid AND m.user_id = $1::uuid
     LEFT JOIN "merchants" x ON x.id = $3
     LEFT JOIN "customers" payer ON payer.user_id = $1::uuid
     LEFT JOIN "user_limits" l ON l.user_id = $1::uuid AND l.currency = $4`,
    [input.userId, input.methodId, input.destinationId, input.currency, COMMITTED_STATUSES, input.since],
  );
  const row = rows[0]!;
  return {
    method: row.m_id === null ? null : methodOf(row as MethodRow),
    merchant: merchantOf(row),
    payerCustomerId: row.payer_customer_id,
    ownLimits: row.has_limits
      ? {
          perOperationMax: optionalBigint(row.per_payment_max_minor),
          rollingTotalMax: optionalBigint(row.daily_total_max_minor),
          confirmationThreshold: optionalBigint(row.confirmation_threshold_minor),
        }
      : null,
    spent: BigInt(row.spent),
  };
}

/**
 * Inserts a pending payment, links it to its idempotency record and adds its event to the outbox, in one statement
 * that ends the caller's transaction (it is sent with the COMMIT).
 */
export async function insertPendingPayment(
  client: SqlClient,
  input: { payment: Payment; scope: IdempotencyScope; event: CreateEventInput },
): Promise<void> {
  const { payment: p, scope } = input;
  const event = createEvent(input.event);
  const params: unknown[] = [
    p.id,
    p.userId,
    p.paymentMethodId,
    p.destinationType,
    p.destinationId,
    p.amountMinor.toString(),
    p.currency,
    p.description,
    p.status,
    p.stripeIdempotencyKey,
    p.clientIp,
    p.clientUserAgent,
    p.createdAt,
    p.updatedAt,
    event.id,
    event.type,
    JSON.stringify(event),
  ];
  const attach = attachSql(params, scope, p.id);
  await client.queryAndCommit(
    `WITH created AS (
       INSERT INTO "payments" ("id", "user_id", "payment_method_id", "destination_type", "destination_id",
         "amount_minor", "currency", "description", "status", "stripe_idempotency_key", "client_ip",
         "client_user_agent", "created_at", "updated_at")
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6::bigint, $7, $8, $9, $10, $11, $12, $13, $14)
       RETURNING "id"
     ), attached AS (${attach})
     INSERT INTO "outbox" ("id", "subject", "envelope") SELECT $15::uuid, $16, $17::jsonb FROM created`,
    params,
  );
}

/** A payment with what its provider call needs: the payer's Stripe customer and the merchant paid, if any. */
export interface PaymentForExecution {
  payment: PaymentWithMethod;
  stripeCustomerId: string | null;
  merchant: Merchant | null;
}

export async function loadPaymentForExecution(pool: pg.Pool, paymentId: string): Promise<PaymentForExecution | null> {
  const { rows } = await pool.query<PaymentWithMethodRow & MerchantRow & { stripe_customer_id: string | null }>(
    `SELECT ${PAYMENT_WITH_METHOD_COLUMNS}, c.stripe_customer_id,
       x.id AS merchant_id, x.display_name AS merchant_display_name, x.stripe_account_id AS merchant_stripe_account_id,
       x.created_at AS merchant_created_at
     FROM "payments" p
     JOIN "payment_methods" m ON m.id = p.payment_method_id
     LEFT JOIN "customers" c ON c.user_id = p.user_id
     LEFT JOIN "merchants" x ON p.destination_type = 'merchant' AND x.id = p.destination_id
     WHERE p.id = $1::uuid`,
    [paymentId],
  );
  const row = rows[0];
  if (!row) return null;
  return { payment: paymentOf(row), stripeCustomerId: row.stripe_customer_id, merchant: merchantOf(row) };
}

/** The payment and its method, locked until the end of the caller's transaction; null when there is none. */
export async function lockPayment(
  client: SqlClient,
  by: { id: string } | { stripePaymentIntentId: string },
): Promise<PaymentWithMethod | null> {
  const where = 'id' in by ? 'p.id = $1::uuid' : 'p.stripe_payment_intent_id = $1';
  const { rows } = await client.query<PaymentWithMethodRow>(
    `SELECT ${PAYMENT_WITH_METHOD_COLUMNS}
     FROM "payments" p JOIN "payment_methods" m ON m.id = p.payment_method_id
     WHERE ${where} FOR UPDATE OF p`,
    ['id' in by ? by.id : by.stripePaymentIntentId],
  );
  const row = rows[0];
  return row ? paymentOf(row) : null;
}

/**
 * Writes what applyChange decided, the event and (for a call) its idempotent outcome in one statement that ends the
 * caller's transaction (it is sent with the COMMIT); nothing when there is nothing to write.
 */
export async function writePaymentChange(
  client: SqlClient,
  input: {
    payment: PaymentWithMethod;
    changed: boolean;
    event: CreateEventInput | null;
    completion?: { scope: IdempotencyScope; outcome: StoredOutcome };
  },
): Promise<void> {
  const { payment: current } = input;
  const params: unknown[] = [];
  const parts: string[] = [];
  if (input.completion) {
    parts.push(`completed AS (${completeSql(params, input.completion.scope, input.completion.outcome)})`);
  }
  if (input.changed) {
    const n = params.length;
    params.push(
      current.id,
      current.status,
      current.updatedAt,
      current.failureCode,
      current.failureMessage,
      current.stripePaymentIntentId,
    );
    parts.push(
      `changed AS (UPDATE "payments" SET "status" = $${n + 2}, "updated_at" = $${n + 3}, "failure_code" = $${n + 4},
         "failure_message" = $${n + 5}, "stripe_payment_intent_id" = $${n + 6} WHERE "id" = $${n + 1}::uuid)`,
    );
  }
  const event = input.event ? createEvent(input.event) : null;
  let tail = 'SELECT 1';
  if (event) {
    const n = params.length;
    params.push(event.id, event.type, JSON.stringify(event));
    tail = `INSERT INTO "outbox" ("id", "subject", "envelope") VALUES ($${n + 1}::uuid, $${n + 2}, $${n + 3}::jsonb)`;
  }
  if (parts.length === 0 && !event) return;
  await client.queryAndCommit(parts.length > 0 ? `WITH ${parts.join(', ')} ${tail}` : tail, params);
}

/**
 * Settles the payment of a call: applies the provider's answer under the payment's row lock (applyChange), then
 * stores the call's outcome, computed from the payment as it now is, with the change and its event
 * (writePaymentChange), in the caller's transaction.
 */
export async function settlePayment(
  client: SqlClient,
  input: {
    paymentId: string;
    change: PaymentChange | null;
    now: Date;
    event: (payment: PaymentWithMethod) => CreateEventInput | null;
    scope: IdempotencyScope;
    outcome: (payment: PaymentWithMethod) => StoredOutcome;
  },
): Promise<PaymentWithMethod> {
  const locked = await lockPayment(client, { id: input.paymentId });
  if (!locked) throw new Error(`payment ${input.paymentId} not found`);
  const { payment, changed, moved } = applyChange(locked, input.change, input.now);
  await writePaymentChange(client, {
    payment,
    changed,
    event: moved ? input.event(payment) : null,
    completion: { scope: input.scope, outcome: input.outcome(payment) },
  });
  return payment;
}

/** Records a provider event's id; false when it was recorded before (a redelivery). */
export async function recordWebhookEvent(
  client: Pick<SqlClient, 'query'>,
  event: { id: string; type: string },
): Promise<boolean> {
  const recorded = await client.query(
    'INSERT INTO "webhook_events" ("id", "type") VALUES ($1, $2) ON CONFLICT ("id") DO NOTHING',
    [event.id, event.type],
  );
  return recorded.rowCount === 1;
}

/** Raises the payment's refunded total to what the provider reported; never lowers it. */
export async function raiseRefundedTotal(
  client: SqlClient,
  paymentId: string,
  total: bigint,
  now: Date,
): Promise<void> {
  await client.query(
    `UPDATE "payments" SET "refunded_minor" = $2::bigint, "updated_at" = $3
     WHERE "id" = $1::uuid AND "refunded_minor" < $2::bigint`,
    [paymentId, total.toString(), now],
  );
}

/** Marks the payment disputed; false when it already was (its event is then not due again). */
export async function markDisputed(client: SqlClient, paymentId: string, now: Date): Promise<boolean> {
  const changed = await client.query(
    'UPDATE "payments" SET "disputed" = true, "updated_at" = $2 WHERE "id" = $1::uuid AND "disputed" = false',
    [paymentId, now],
  );
  return changed.rowCount === 1;
}
