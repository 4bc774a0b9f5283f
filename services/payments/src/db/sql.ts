import type { SqlExecutor } from '@fintech/kit';
import type pg from 'pg';
import type { Merchant, Payment, PaymentMethod } from '../generated/prisma/client';
import type { PaymentWithMethod } from '../domain/payment-state';

/**
 * Plain `pg` access for the paths that run once or more per payment (InitiatePayment, provider webhooks). Through
 * Prisma every statement pays for query compilation and result mapping, and an interactive transaction for its own
 * bookkeeping; here a transaction is BEGIN, a few statements and COMMIT on one pooled connection. The connections
 * get the service's schema as their search_path (kit's createPool), like Prisma's.
 */
export interface SqlClient {
  query<R extends object = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
  /** Runs the transaction's last statement and COMMIT in one round trip; the transaction ends with it. */
  queryAndCommit(text: string, params?: readonly unknown[]): Promise<void>;
}

/** The kit's outbox writer on a transaction of {@link withTransaction} (`recordEvents(executorOf(tx), …)`). */
export function executorOf(client: SqlClient): SqlExecutor {
  return { execute: async (text, params) => (await client.query(text, params)).rowCount ?? 0 };
}

/**
 * A parameter as an SQL literal, for the statements sent together with BEGIN or COMMIT: several statements in one
 * message need the simple query protocol, which has no parameters. Strings go through pg's escapeLiteral.
 */
function literal(client: pg.PoolClient, value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) return client.escapeLiteral(value.toISOString());
  if (typeof value === 'string') return client.escapeLiteral(value);
  if (typeof value === 'number' || typeof value === 'bigint') return client.escapeLiteral(String(value));
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  throw new TypeError(`no SQL literal for a ${typeof value}`);
}

function inline(client: pg.PoolClient, text: string, params: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_match, n: string) => literal(client, params[Number(n) - 1]));
}

type Result<R> = { rows: R[]; rowCount: number | null };

/**
 * Runs `work` in a transaction on one connection of `pool`: committed when it returns, rolled back when it throws.
 * Each statement is a round trip to Postgres and a socket write, so BEGIN travels with the first statement and
 * COMMIT with the last one given to queryAndCommit.
 */
export async function withTransaction<T>(pool: pg.Pool, work: (client: SqlClient) => Promise<T>): Promise<T> {
  const connection = await pool.connect();
  let state = 'idle' as 'idle' | 'open' | 'committed';
  let broken: Error | undefined;
  const tx: SqlClient = {
    async query<R extends object>(text: string, params: readonly unknown[] = []): Promise<Result<R>> {
      if (state === 'committed') throw new Error('the transaction has ended');
      if (state === 'open') return connection.query<R>(text, params as unknown[]);
      state = 'open';
      const results = (await connection.query(`BEGIN; ${inline(connection, text, params)}`)) as unknown as Result<R>[];
      return results[1]!;
    },
    async queryAndCommit(text: string, params: readonly unknown[] = []): Promise<void> {
      if (state === 'committed') throw new Error('the transaction has ended');
      const statement = inline(connection, text, params);
      const begin = state === 'idle';
      state = 'open';
      await connection.query(begin ? `BEGIN; ${statement}; COMMIT` : `${statement}; COMMIT`);
      state = 'committed';
    },
  };
  try {
    const result = await work(tx);
    if (state === 'open') {
      await connection.query('COMMIT');
      state = 'committed';
    }
    return result;
  } catch (error) {
    if (state === 'open') {
      await connection.query('ROLLBACK').catch((rollbackError: unknown) => {
        // A connection that cannot roll back is not given back to the pool.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
    }
    throw error;
  } finally {
    connection.release(broken);
  }
}

/** The columns of `payments` and of its method, selected with these aliases by the queries below. */
export const PAYMENT_WITH_METHOD_COLUMNS = `
  p.id::text AS id, p.user_id::text AS user_id, p.payment_method_id::text AS payment_method_id,
  p.destination_type, p.destination_id, p.amount_minor::text AS amount_minor, p.currency, p.description, p.status,
  p.refunded_minor::text AS refunded_minor, p.disputed, p.failure_code, p.failure_message,
  p.stripe_payment_intent_id, p.stripe_idempotency_key, p.client_ip, p.client_user_agent, p.created_at, p.updated_at,
  m.id::text AS m_id, m.user_id::text AS m_user_id, m.stripe_payment_method_id AS m_stripe_payment_method_id,
  m.type AS m_type, m.brand AS m_brand, m.last4 AS m_last4, m.exp_month AS m_exp_month, m.exp_year AS m_exp_year,
  m.fingerprint AS m_fingerprint, m.is_default AS m_is_default, m.created_at AS m_created_at`;

export interface PaymentWithMethodRow {
  id: string;
  user_id: string;
  payment_method_id: string;
  destination_type: string;
  destination_id: string;
  amount_minor: string;
  currency: string;
  description: string;
  status: string;
  refunded_minor: string;
  disputed: boolean;
  failure_code: string | null;
  failure_message: string | null;
  stripe_payment_intent_id: string | null;
  stripe_idempotency_key: string;
  client_ip: string | null;
  client_user_agent: string | null;
  created_at: Date;
  updated_at: Date;
  m_id: string;
  m_user_id: string;
  m_stripe_payment_method_id: string;
  m_type: string;
  m_brand: string;
  m_last4: string;
  m_exp_month: number;
  m_exp_year: number;
  m_fingerprint: string;
  m_is_default: boolean;
  m_created_at: Date;
}

export interface MethodRow {
  m_id: string;
  m_user_id: string;
  m_stripe_payment_method_id: string;
  m_type: string;
  m_brand: string;
  m_last4: string;
  m_exp_month: number;
  m_exp_year: number;
  m_fingerprint: string;
  m_is_default: boolean;
  m_created_at: Date;
}

export function methodOf(row: MethodRow): PaymentMethod {
  return {
    id: row.m_id,
    userId: row.m_user_id,
    stripePaymentMethodId: row.m_stripe_payment_method_id,
    type: row.m_type,
    brand: row.m_brand,
    last4: row.m_last4,
    expMonth: row.m_exp_month,
    expYear: row.m_exp_year,
    fingerprint: row.m_fingerprint,
    isDefault: row.m_is_default,
    createdAt: row.m_created_at,
  };
}

export function paymentOf(row: PaymentWithMethodRow): PaymentWithMethod {
  const payment: Payment = {
    id: row.id,
    userId: row.user_id,
    paymentMethodId: row.payment_method_id,
    destinationType: row.destination_type,
    destinationId: row.destination_id,
    amountMinor: BigInt(row.amount_minor),
    currency: row.currency,
    description: row.description,
    status: row.status,
    refundedMinor: BigInt(row.refunded_minor),
    disputed: row.disputed,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    stripePaymentIntentId: row.stripe_payment_intent_id,
    stripeIdempotencyKey: row.stripe_idempotency_key,
    clientIp: row.client_ip,
    clientUserAgent: row.client_user_agent,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  return { ...payment, paymentMethod: methodOf(row) };
}

export interface MerchantRow {
  merchant_id: string | null;
  merchant_display_name: string | null;
  merchant_stripe_account_id: string | null;
  merchant_created_at: Date | null;
}

export function merchantOf(row: MerchantRow): Merchant | null {
  if (row.merchant_id === null) return null;
  return {
    id: row.merchant_id,
    displayName: row.merchant_display_name ?? '',
    stripeAccountId: row.merchant_stripe_account_id,
    createdAt: row.merchant_created_at ?? new Date(0),
  };
}
