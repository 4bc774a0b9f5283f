import { createEvent, type CreateEventInput } from '@fintech/kit';
import type pg from 'pg';
import type { Merchant, Payment, PaymentMethod } from '../generated/prisma/client';
import type { StoredOutcome, IdempotencyScope } from './idempotency';
import { COMMITTED_STATUSES, mayMove, type PaymentStatusValue, type PaymentWithMethod } from './payment-repository';
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
  /** The user id of the payee when destination_id is a user with a payments account. */
  payeeUserId: string | null;
  /** The payer's Stripe customer. */
  payerCustomerId: string | null;
  ownLimits: {
    perPaymentMaxMinor: bigint | null;
    dailyTotalMaxMinor: bigint | null;
    confirmationThresholdMinor: bigint | null;
  } | null;
  spent: bigint;
}

type ContextRow = { [K in keyof MethodRow]: MethodRow[K] | null } & MerchantRow & {
    payee_user_id: string | null;
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
    /** destination_id when it is a UUID, else null. */
    destinationUserId: string | null;
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
       payee.user_id::text AS payee_user_id,
       payer.stripe_customer_id AS payer_customer_id,
       l.user_id IS NOT NULL AS has_limits,
       l.per_payment_max_minor::text AS per_payment_max_minor,
       l.daily_total_max_minor::text AS daily_total_max_minor,
       l.confirmation_threshold_minor::text AS confirmation_threshold_minor,
       (SELECT COALESCE(SUM(s.amount_minor), 0)::text FROM "payments" s
         WHERE s.user_id = $1::uuid AND s.currency = $5 AND s.status = ANY($6::text[]) AND s.created_at >= $7)
         AS spent
     FROM (SELECT 1) AS one
     LEFT JOIN "payment_methods" m ON m.id = $2::uuid AND m.user_id = $1::uuid
     LEFT JOIN "merchants" x ON x.id = $3
     LEFT JOIN "customers" payee ON payee.user_id = $4::uuid
     LEFT JOIN "customers" payer ON payer.user_id = $1::uuid
     LEFT JOIN "user_limits" l ON l.user_id = $1::uuid AND l.currency = $5`,
    [
      input.userId,
      input.methodId,
      input.destinationId,
      input.destinationUserId,
      input.currency,
      COMMITTED_STATUSES,
      input.since,
    ],
  );
  const row = rows[0]!;
  return {
    method: row.m_id === null ? null : methodOf(row as MethodRow),
    merchant: merchantOf(row),
    payeeUserId: row.payee_user_id,
    payerCustomerId: row.payer_customer_id,
    ownLimits: row.has_limits
      ? {
          perPaymentMaxMinor: optionalBigint(row.per_payment_max_minor),
          dailyTotalMaxMinor: optionalBigint(row.daily_total_max_minor),
          confirmationThresholdMinor: optionalBigint(row.confirmation_threshold_minor),
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
  await client.queryAndCommit(
    `WITH created AS (
       INSERT INTO "payments" ("id", "user_id", "payment_method_id", "destination_type", "destination_id",
         "amount_minor", "currency", "description", "status", "stripe_idempotency_key", "client_ip",
         "client_user_agent", "created_at", "updated_at")
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6::bigint, $7, $8, $9, $10, $11, $12, $13, $14)
       RETURNING "id"
     ), attached AS (
       UPDATE "idempotency_records" SET "resource_id" = $1::uuid WHERE "user_id" = $15::uuid AND "key" = $16
     )
     INSERT INTO "outbox" ("id", "subject", "envelope") SELECT $17::uuid, $18, $19::jsonb FROM created`,
    [
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
      scope.userId,
      scope.key,
      event.id,
      event.type,
      JSON.stringify(event),
    ],
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

/** What the provider said about a payment: a state to move to (if it may), and the PaymentIntent's id. */
export interface PaymentChange {
  status: PaymentStatusValue | null;
  stripePaymentIntentId: string | null;
  failureCode?: string;
  failureMessage?: string;
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
 * A change applied to a locked payment with the rules of mayMove: a state it may not move to is left
 * alone, the PaymentIntent id is set once. `moved` says whether the state changed (its event is then due).
 */
export function applyChange(
  payment: PaymentWithMethod,
  change: PaymentChange | null,
  now: Date,
): { payment: PaymentWithMethod; changed: boolean; moved: boolean } {
  let current = payment;
  let changed = false;
  let moved = false;
  if (change) {
    if (change.status && mayMove(current.status, change.status)) {
      current = {
        ...current,
        status: change.status,
        updatedAt: now,
        ...(change.failureCode !== undefined ? { failureCode: change.failureCode } : {}),
        ...(change.failureMessage !== undefined ? { failureMessage: change.failureMessage } : {}),
      };
      changed = true;
      moved = true;
    }
    if (change.stripePaymentIntentId && current.stripePaymentIntentId === null) {
      current = { ...current, stripePaymentIntentId: change.stripePaymentIntentId };
      changed = true;
    }
  }
  return { payment: current, changed, moved };
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
    params.push(input.completion.scope.userId, input.completion.scope.key, JSON.stringify(input.completion.outcome));
    parts.push(
      `completed AS (UPDATE "idempotency_records" SET "state" = 'completed', "response" = $3::jsonb, "locked_until" = NULL
         WHERE "user_id" = $1::uuid AND "key" = $2)`,
    );
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
