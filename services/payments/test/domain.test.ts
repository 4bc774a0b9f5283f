import { describe, expect, it } from 'vitest';
import { parseCurrency, parsePositiveAmount } from '../src/domain/amount';
import { decodeCursor, encodeCursor, parseDateRange } from '../src/domain/history-cursor';
import { payeeOf } from '../src/domain/payee';
import { refundAmount } from '../src/domain/refund';

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

describe('payees', () => {
  it('pays registered merchants only: a user id is refused as such, and so is oneself', () => {
    const me = '11111111-1111-4111-8111-111111111111';
    const merchant = { id: 'merchant_demo_books', displayName: 'Demo Books', stripeAccountId: 'acct_demo_books' };
    expect(payeeOf({ destinationId: 'merchant_demo_books', payerId: me, merchant })).toMatchObject({
      type: 'merchant',
      stripeAccount: 'acct_demo_books',
    });
    expect(() =>
      payeeOf({ destinationId: '22222222-2222-4222-8222-222222222222', payerId: me, merchant: null }),
    ).toThrow(expect.objectContaining({ field: 'destination_id', message: expect.stringContaining('merchants only') }));
    expect(() => payeeOf({ destinationId: me, payerId: me, merchant: null })).toThrow(/yourself/);
    expect(() => payeeOf({ destinationId: 'merchant_nope', payerId: me, merchant: null })).toThrow(
      /not a registered merchant/,
    );
  });
});

describe('refund amounts', () => {
  const base = { paymentStatus: 'succeeded', paid: 100_00n, refunded: 0n, reserved: 0n, currency: 'USD' };
  it('takes what is left when no amount is given, and never more than was paid', () => {
    expect(refundAmount({ ...base, requested: null })).toBe(100_00n);
    expect(refundAmount({ ...base, reserved: 30_00n, requested: null })).toBe(70_00n);
    // The provider's own total counts when it is larger than ours (a refund made elsewhere).
    expect(refundAmount({ ...base, reserved: 30_00n, refunded: 50_00n, requested: null })).toBe(50_00n);
    expect(() => refundAmount({ ...base, reserved: 30_00n, requested: 70_01n })).toThrow(
      expect.objectContaining({ reason: 'REFUND_EXCEEDS_PAYMENT', field: 'amount' }),
    );
    expect(() => refundAmount({ ...base, reserved: 100_00n, requested: null })).toThrow(/fully refunded/);
    expect(() => refundAmount({ ...base, paymentStatus: 'pending', requested: null })).toThrow(
      expect.objectContaining({ reason: 'FAILED_PRECONDITION' }),
    );
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
