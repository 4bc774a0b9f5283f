import { describe, expect, it } from 'vitest';
import { parseCurrency, parsePositiveAmount } from '../src/domain/amount';
import { canonicalJson, requestHash } from '../src/domain/canonical';
import { LimitExceededError } from '../src/domain/errors';
import { decodeCursor, encodeCursor, parseDateRange } from '../src/domain/history-cursor';
import { checkLimits, needsConfirmation, type CurrencyLimits } from '../src/domain/limits';

describe('amounts', () => {
  it('converts major units exactly with the currency exponent', () => {
    expect(parsePositiveAmount('12.50', 'USD')).toBe(1250n);
    expect(parsePositiveAmount('1000', 'JPY')).toBe(1000n);
    expect(parsePositiveAmount('1.234', 'KWD')).toBe(1234n);
    expect(parsePositiveAmount('12.500', 'USD')).toBe(1250n);
  });

  it('refuses extra decimals, zero, negatives and malformed amounts, naming the field', () => {
    for (const [amount, currency] of [
      ['10.005', 'USD'],
      ['1.5', 'JPY'],
      ['0', 'USD'],
      ['-1', 'USD'],
      ['1e3', 'USD'],
    ]) {
      expect(() => parsePositiveAmount(amount!, currency!), `${amount} ${currency}`).toThrow(
        expect.objectContaining({ reason: 'VALIDATION_FAILED', field: 'amount' }),
      );
    }
    expect(() => parseCurrency('XXX')).toThrow(expect.objectContaining({ field: 'currency' }));
    expect(parseCurrency('usd')).toBe('USD');
  });
});

describe('canonical arguments', () => {
  it('hashes equal arguments equally whatever the key order, and other arguments or tools differently', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,2]},"b":1}');
    const hash = requestHash('initiate_payment', { amount_minor: '100', currency: 'USD' });
    expect(requestHash('initiate_payment', { currency: 'USD', amount_minor: '100' })).toBe(hash);
    expect(requestHash('initiate_payment', { currency: 'USD', amount_minor: '101' })).not.toBe(hash);
    expect(requestHash('process_refund', { currency: 'USD', amount_minor: '100' })).not.toBe(hash);
  });
});

describe('limits', () => {
  const limits: CurrencyLimits = { perPaymentMax: 500_00n, dailyTotalMax: 1000_00n, confirmationThreshold: 100_00n };

  it('names the per-payment limit and the daily limit with what is left', () => {
    expect(() => checkLimits({ amount: 500_01n, currency: 'USD', limits, spentLast24h: 0n })).toThrow(
      expect.objectContaining({ metadata: expect.objectContaining({ limit: 'per_payment_max' }) }),
    );
    let error: unknown;
    try {
      checkLimits({ amount: 300_00n, currency: 'USD', limits, spentLast24h: 800_00n });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as LimitExceededError).metadata).toMatchObject({
      limit: 'daily_total_max',
      remaining_minor: '20000',
    });
    expect((error as LimitExceededError).message).toContain('1000.00 USD');
    expect(() => checkLimits({ amount: 200_00n, currency: 'USD', limits, spentLast24h: 800_00n })).not.toThrow();
  });

  it('asks for confirmation strictly above the threshold', () => {
    expect(needsConfirmation(100_00n, limits)).toBe(false);
    expect(needsConfirmation(100_01n, limits)).toBe(true);
  });
});

describe('history cursor and dates', () => {
  it('round-trips a cursor and refuses a forged one', () => {
    const cursor = { createdAt: new Date('2026-11-25T10:00:00.123Z'), id: '0195f3a0-0000-7000-8000-000000000001' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(() => decodeCursor('not-a-cursor')).toThrow(expect.objectContaining({ field: 'cursor' }));
  });

  it('reads an inclusive UTC date range', () => {
    const range = parseDateRange('2026-11-01', '2026-11-30');
    expect(range.from?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(range.until?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(() => parseDateRange('2026-02-30', '')).toThrow(expect.objectContaining({ field: 'start_date' }));
    expect(() => parseDateRange('2026-11-02', '2026-11-01')).toThrow(expect.objectContaining({ field: 'end_date' }));
  });
});
