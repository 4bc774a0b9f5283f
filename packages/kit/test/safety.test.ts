import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../src/db/create-pool';
import { dropSchema } from '../src/db/drop-schema';
import { KIT_MIGRATIONS_TABLE, migrateServiceSchema } from '../src/db/kit-migrations';
import { DomainError } from '../src/errors';
import {
  argumentsHash,
  canonicalJson,
  checkAmountLimits,
  combineLimits,
  createConfirmationStore,
  createIdempotencyStore,
  needsConfirmation,
  providerIdempotencyKey,
  type AmountLimits,
  type IdempotencyScope,
} from '../src/index';

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `kit_safety_${randomBytes(4).toString('hex')}`;
let pool: pg.Pool;
const clock = { offsetMs: 0 };
const now = () => new Date(Date.now() + clock.offsetMs);

beforeAll(async () => {
  // Replicas starting together all apply the kit's migration; it must neither fail nor run twice.
  await Promise.all([1, 2, 3].map(() => migrateServiceSchema({ connectionString, schema })));
  await migrateServiceSchema({ connectionString, schema });
  pool = createPool({ connectionString, schema, max: 8 });
  const applied = await pool.query<{ migration_name: string }>(
    `SELECT migration_name FROM ${KIT_MIGRATIONS_TABLE} WHERE migration_name LIKE 'safety/%'`,
  );
  expect(applied.rows.map((row) => row.migration_name)).toEqual(['safety/20261204000000_agent_safety']);
});
afterAll(async () => {
  await pool?.end();
  await dropSchema(connectionString, schema);
});

function store(leaseMs = 300) {
  return createIdempotencyStore({ pool, leaseMs, retentionSeconds: 86_400, derivedWindowSeconds: 600, now });
}

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

/** An operation that creates a resource and completes with its id, counting how often it really ran. */
function counted(idempotency: ReturnType<typeof store>, scope: IdempotencyScope) {
  const runs: (string | null)[] = [];
  const operation = async (resumeId: string | null) => {
    runs.push(resumeId);
    const id = resumeId ?? randomUUID();
    await idempotency.attach(pool, scope, id);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await idempotency.complete(pool, scope, { ok: { id } });
    return { id };
  };
  return { runs, operation };
}

describe('canonical arguments', () => {
  it('hashes equal arguments equally whatever the key order, and leaves the call-control arguments out', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,2]},"b":1}');
    const hash = argumentsHash('initiate_payment', { amount_minor: '100', currency: 'USD' });
    expect(argumentsHash('initiate_payment', { currency: 'USD', amount_minor: '100' })).toBe(hash);
    expect(
      argumentsHash('initiate_payment', {
        currency: 'USD',
        amount_minor: '100',
        confirmation_token: 'conf_x',
        idempotency_key: 'k',
        mfa_code: '123456',
      }),
    ).toBe(hash);
    expect(argumentsHash('initiate_payment', { currency: 'USD', amount_minor: '101' })).not.toBe(hash);
    expect(argumentsHash('process_refund', { currency: 'USD', amount_minor: '100' })).not.toBe(hash);
  });
});

describe('idempotency store', () => {
  const userId = randomUUID();
  const hashOf = (amount: string) => argumentsHash('pay', { amount });

  it('runs concurrent duplicates once and gives every one the first result', async () => {
    const idempotency = store();
    const scope = idempotency.scope({ userId, tool: 'pay', key: 'concurrent', requestHash: hashOf('1') });
    const { runs, operation } = counted(idempotency, scope);
    const answers = await Promise.all(Array.from({ length: 20 }, () => idempotency.run(scope, null, operation)));
    expect(runs).toEqual([null]);
    expect(new Set(answers.map((a) => a.id)).size).toBe(1);
    expect(await idempotency.run(scope, null, operation)).toEqual(answers[0]);
    expect(runs).toHaveLength(1);
  });

  it('refuses the key with other arguments or another tool, naming the key', async () => {
    const idempotency = store();
    const scope = idempotency.scope({ userId, tool: 'pay', key: 'reused', requestHash: hashOf('1') });
    await idempotency.run(scope, null, counted(idempotency, scope).operation);
    const other = idempotency.scope({ userId, tool: 'pay', key: 'reused', requestHash: hashOf('2') });
    const refused = await failure(idempotency.run(other, null, async () => 'ran'));
    expect(refused).toMatchObject({ reason: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotency_key' });
    expect(refused.message).toContain('"reused"');
    const tool = idempotency.scope({ userId, tool: 'refund', key: 'reused', requestHash: hashOf('1') });
    expect((await failure(idempotency.run(tool, null, async () => 'ran'))).message).toContain('another tool');
  });

  it('binds the key from its first answer even when that answer stored nothing (a refusal, a confirmation asked for)', async () => {
    const idempotency = store();
    const scope = idempotency.scope({ userId, tool: 'pay', key: 'bound', requestHash: hashOf('500') });
    const first = await idempotency.run(scope, null, async () => ({ status: 'confirmation_required' }));
    expect(first.status).toBe('confirmation_required');
    const limit = await failure(
      idempotency.run(scope, null, async () => {
        throw new DomainError('LIMIT_EXCEEDED', 'too much');
      }),
    );
    expect(limit.reason).toBe('LIMIT_EXCEEDED');

    const other = idempotency.scope({ userId, tool: 'pay', key: 'bound', requestHash: hashOf('5') });
    const refused = await failure(idempotency.run(other, null, async () => ({ status: 'paid' })));
    expect(refused.reason).toBe('IDEMPOTENCY_KEY_REUSED');

    // The same call runs again (after the user confirmed or raised the limit) and its outcome is then kept.
    const { runs, operation } = counted(idempotency, scope);
    const done = await idempotency.run(scope, null, operation);
    expect(runs).toEqual([null]);
    expect(await idempotency.run(scope, null, operation)).toEqual(done);
    expect(runs).toHaveLength(1);
  });

  it('lets a retry take over a call whose owner died, once its lease lapsed, and resume its resource', async () => {
    const idempotency = store(200);
    const scope = idempotency.scope({ userId, tool: 'pay', key: 'crashed', requestHash: hashOf('1') });
    // The owner claims, creates its resource, and dies: no keepAlive, no release.
    const claim = await idempotency.claim(scope, null);
    expect(claim).toEqual({ kind: 'owner', resourceId: null });
    const resourceId = randomUUID();
    await idempotency.attach(pool, scope, resourceId);

    const waited = await failure(idempotency.run(scope, new Date(Date.now() + 300), async () => 'too early'));
    expect(waited.reason).toBe('CONFLICT');
    await new Promise((resolve) => setTimeout(resolve, 250));
    const { runs, operation } = counted(idempotency, scope);
    expect(await idempotency.run(scope, null, operation)).toEqual({ id: resourceId });
    expect(runs).toEqual([resourceId]);
  });

  it('renews the lease while the owner works, so a duplicate waits instead of taking over', async () => {
    const idempotency = store(150);
    const scope = idempotency.scope({ userId, tool: 'pay', key: 'slow', requestHash: hashOf('1') });
    let ran = 0;
    const slow = async () => {
      ran += 1;
      await new Promise((resolve) => setTimeout(resolve, 600));
      await idempotency.complete(pool, scope, { ok: 'done' });
      return 'done';
    };
    const first = idempotency.run(scope, null, slow);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = idempotency.run(scope, null, slow);
    expect(await Promise.all([first, second])).toEqual(['done', 'done']);
    expect(ran).toBe(1);
  });

  it('derives a key from the arguments within a window, and gives provider keys derived from ours', async () => {
    const idempotency = store();
    const scope = idempotency.scope({ userId, tool: 'pay', key: '', requestHash: hashOf('7') });
    expect(scope.key.startsWith('~derived:pay:')).toBe(true);
    const { runs, operation } = counted(idempotency, scope);
    const first = await idempotency.run(scope, null, operation);
    expect(await idempotency.run(idempotency.scope({ ...scope, key: '' }), null, operation)).toEqual(first);
    clock.offsetMs = 601_000;
    try {
      const later = idempotency.scope({ userId, tool: 'pay', key: '', requestHash: hashOf('7') });
      expect(await idempotency.run(later, null, operation)).not.toEqual(first);
    } finally {
      clock.offsetMs = 0;
    }
    expect(runs).toHaveLength(2);
    const key = providerIdempotencyKey('pay', scope, first.id);
    expect(key).toMatch(/^pay-[0-9a-f]{32}-/);
    expect(providerIdempotencyKey('pay', { ...scope, key: 'x' }, first.id)).not.toBe(key);
    expect(() => idempotency.scope({ userId, tool: 'pay', key: 'has space', requestHash: 'h' })).toThrow(
      expect.objectContaining({ field: 'idempotency_key' }),
    );
  });
});

describe('confirmation tokens', () => {
  const userId = randomUUID();
  const binding = { userId, tool: 'pay', argsHash: argumentsHash('pay', { amount: '500' }) };

  it('are spent once, by the same caller, for the same tool and arguments, before they expire', async () => {
    const confirmations = createConfirmationStore({ pool, ttlSeconds: 60, now });
    const { token } = await confirmations.issue(binding);
    const stored = await pool.query('SELECT 1 FROM "confirmations" WHERE "token_hash" = $1', [token]);
    expect(stored.rowCount).toBe(0);

    const foreign = await failure(confirmations.consume(pool, token, { ...binding, userId: randomUUID() }));
    expect(foreign).toMatchObject({ reason: 'CONFIRMATION_INVALID', message: 'confirmation_token is not valid' });
    const altered = await failure(
      confirmations.consume(pool, token, { ...binding, argsHash: argumentsHash('pay', { amount: '501' }) }),
    );
    expect(altered.message).toContain('other arguments');
    expect((await failure(confirmations.consume(pool, 'conf_forged', binding))).reason).toBe('CONFIRMATION_INVALID');

    await confirmations.consume(pool, token, binding);
    expect((await failure(confirmations.consume(pool, token, binding))).message).toContain('already used');

    const late = await confirmations.issue(binding);
    clock.offsetMs = 61_000;
    try {
      expect((await failure(confirmations.consume(pool, late.token, binding))).message).toContain('expired');
    } finally {
      clock.offsetMs = 0;
    }
  });
});

describe('limits', () => {
  const limits: AmountLimits = { perOperationMax: 500_00n, rollingTotalMax: 1000_00n, confirmationThreshold: 100_00n };
  const wording = {
    perOperationName: 'per_trade_max',
    rollingTotalName: 'daily_notional_max',
    noun: 'trade',
    spentVerb: 'traded',
  };

  it('names the limit broken, its value and what is left', () => {
    expect(() => checkAmountLimits({ amount: 500_01n, currency: 'USD', limits, spentInWindow: 0n, wording })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('per-trade limit of 500.00 USD') }),
    );
    const daily = (() => {
      try {
        checkAmountLimits({ amount: 300_00n, currency: 'USD', limits, spentInWindow: 800_00n, wording });
      } catch (error) {
        return error as DomainError;
      }
      return null;
    })();
    expect(daily).toMatchObject({
      reason: 'LIMIT_EXCEEDED',
      field: 'amount',
      metadata: { limit: 'daily_notional_max', remaining_minor: '20000', currency: 'USD' },
    });
    expect(daily?.message).toContain('800.00 USD traded in the last 24 hours');
    expect(() =>
      checkAmountLimits({ amount: 200_00n, currency: 'USD', limits, spentInWindow: 800_00n, wording }),
    ).not.toThrow();
  });

  it('asks for confirmation strictly above the threshold, and combines own limits over the defaults', () => {
    expect(needsConfirmation(100_00n, limits)).toBe(false);
    expect(needsConfirmation(100_01n, limits)).toBe(true);
    expect(combineLimits({ perOperationMax: 50n, rollingTotalMax: null, confirmationThreshold: null }, limits)).toEqual(
      {
        ...limits,
        perOperationMax: 50n,
      },
    );
    expect(combineLimits(null, undefined)).toBeNull();
  });
});
