import { describe, expect, it } from 'vitest';
import {
  MAX_MINOR_UNITS,
  MoneyError,
  SUPPORTED_CURRENCIES,
  assertPositive,
  currencyExponent,
  fromMinorUnits,
  moneyFromProto,
  moneyToProto,
  parseMinor,
  toMinorUnits,
} from '../src/money';

function moneyError(fn: () => unknown): MoneyError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MoneyError);
    return error as MoneyError;
  }
  throw new Error('expected a MoneyError');
}

describe('currencyExponent', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['GBP', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['VND', 0],
    ['CLP', 0],
    ['ISK', 0],
    ['XAF', 0],
    ['XOF', 0],
    ['XPF', 0],
    ['UGX', 0],
    ['BHD', 3],
    ['IQD', 3],
    ['JOD', 3],
    ['KWD', 3],
    ['LYD', 3],
    ['OMR', 3],
    ['TND', 3],
    ['CLF', 4],
    ['UYW', 4],
  ])('%s has exponent %i', (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
  });

  it('matches codes case-insensitively', () => {
    expect(currencyExponent('usd')).toBe(2);
    expect(currencyExponent('jPy')).toBe(0);
  });

  it.each(['', 'US', 'USDD', 'ABC', 'XAU', 'XXX', 'XTS', 'HRK', ' USD', 'USD '])('refuses %j', (code) => {
    expect(moneyError(() => currencyExponent(code)).code).toBe('UNKNOWN_CURRENCY');
  });

  it('lists the active currencies, upper case and without duplicates', () => {
    expect(SUPPORTED_CURRENCIES.length).toBeGreaterThan(150);
    expect(new Set(SUPPORTED_CURRENCIES).size).toBe(SUPPORTED_CURRENCIES.length);
    for (const code of SUPPORTED_CURRENCIES) expect(code).toMatch(/^[A-Z]{3}$/);
  });
});

describe('toMinorUnits', () => {
  it.each<[string | number | bigint, string, bigint]>([
    [1000, 'JPY', 1000n],
    ['1000', 'JPY', 1000n],
    [12.5, 'USD', 1250n],
    ['12.5', 'USD', 1250n],
    ['12.50', 'USD', 1250n],
    ['12.500', 'USD', 1250n],
    [0.1, 'USD', 10n],
    [0.07, 'USD', 7n],
    [1.1, 'USD', 110n],
    [19.99, 'USD', 1999n],
    [1.234, 'KWD', 1234n],
    ['1.234', 'KWD', 1234n],
    ['0.0001', 'CLF', 1n],
    ['0', 'USD', 0n],
    [0, 'USD', 0n],
    [-0, 'USD', 0n],
    ['-0', 'USD', 0n],
    ['-0.05', 'USD', -5n],
    [-12.34, 'EUR', -1234n],
    ['007.10', 'USD', 710n],
    [12n, 'USD', 1200n],
    [-3n, 'BHD', -3000n],
    [5n, 'JPY', 5n],
    ['1.000', 'JPY', 1n],
  ])('%s %s → %s', (amount, currency, expected) => {
    expect(toMinorUnits(amount, currency)).toBe(expected);
  });

  it.each<[string | number, string]>([
    ['10.005', 'USD'],
    [10.005, 'USD'],
    ['10.0050', 'USD'],
    [1.5, 'JPY'],
    ['1.5', 'JPY'],
    ['1.2345', 'KWD'],
    ['0.00001', 'CLF'],
    [1e-7, 'USD'],
    [1.5e-7, 'USD'],
  ])('refuses %j %s for having more decimals than the currency', (amount, currency) => {
    expect(moneyError(() => toMinorUnits(amount, currency)).code).toBe('TOO_MANY_DECIMALS');
  });

  it.each([
    '',
    '.',
    '.5',
    '1.',
    '-',
    '-.5',
    '+1',
    '1e3',
    '1E3',
    ' 1',
    '1 ',
    '1 000',
    '1,000',
    '1_000',
    '0x10',
    '١٢',
    'NaN',
    'Infinity',
    '--1',
    '1.2.3',
  ])('refuses the string %j', (amount) => {
    expect(moneyError(() => toMinorUnits(amount, 'USD')).code).toBe('INVALID_AMOUNT');
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('refuses the number %s', (amount) => {
    expect(moneyError(() => toMinorUnits(amount, 'USD')).code).toBe('INVALID_AMOUNT');
  });

  it('refuses values that are not strings, numbers or bigints', () => {
    expect(moneyError(() => toMinorUnits(null as unknown as string, 'USD')).code).toBe('INVALID_AMOUNT');
  });

  it('reads numbers by their shortest decimal, never by float multiplication', () => {
    // 1.005 * 100 is 100.49999999999999 in binary floating point; the decimal 1.005 has three places.
    expect(moneyError(() => toMinorUnits(1.005, 'USD')).code).toBe('TOO_MANY_DECIMALS');
    // 0.29 * 100 is 28.999999999999996.
    expect(toMinorUnits(0.29, 'USD')).toBe(29n);
    expect(toMinorUnits(4.35, 'USD')).toBe(435n);
  });

  it('accepts amounts up to 2^63 - 1 minor units and refuses beyond', () => {
    expect(toMinorUnits('92233720368547758.07', 'USD')).toBe(MAX_MINOR_UNITS);
    expect(toMinorUnits('-92233720368547758.07', 'USD')).toBe(-MAX_MINOR_UNITS);
    expect(toMinorUnits('9223372036854775807', 'JPY')).toBe(MAX_MINOR_UNITS);
    expect(moneyError(() => toMinorUnits('92233720368547758.08', 'USD')).code).toBe('OUT_OF_RANGE');
    expect(moneyError(() => toMinorUnits('-92233720368547758.08', 'USD')).code).toBe('OUT_OF_RANGE');
    expect(moneyError(() => toMinorUnits('9223372036854775808', 'JPY')).code).toBe('OUT_OF_RANGE');
    expect(moneyError(() => toMinorUnits('1' + '0'.repeat(5000), 'USD')).code).toBe('OUT_OF_RANGE');
    expect(moneyError(() => toMinorUnits(2n ** 63n, 'JPY')).code).toBe('OUT_OF_RANGE');
    expect(moneyError(() => toMinorUnits(10n ** 17n, 'USD')).code).toBe('OUT_OF_RANGE');
  });

  it('keeps leading zeros from counting toward the range', () => {
    expect(toMinorUnits('0'.repeat(100) + '1.5', 'USD')).toBe(150n);
  });

  it('refuses numbers beyond the safe integer range, including exponent notation', () => {
    expect(toMinorUnits(Number.MAX_SAFE_INTEGER, 'JPY')).toBe(9007199254740991n);
    expect(moneyError(() => toMinorUnits(2 ** 60, 'JPY')).code).toBe('OUT_OF_RANGE');
    expect(moneyError(() => toMinorUnits(1e21, 'USD')).code).toBe('OUT_OF_RANGE');
    expect(moneyError(() => toMinorUnits(-1e21, 'USD')).code).toBe('OUT_OF_RANGE');
  });

  it('reports the field it was given', () => {
    const error = moneyError(() => toMinorUnits('1.001', 'USD', { field: 'amount' }));
    expect(error.field).toBe('amount');
    expect(moneyError(() => toMinorUnits('1', 'ZZZ', { field: 'currency' })).field).toBe('currency');
  });
});

describe('fromMinorUnits', () => {
  it.each<[bigint | string, string, string]>([
    [1250n, 'USD', '12.50'],
    [1000n, 'JPY', '1000'],
    [-5n, 'USD', '-0.05'],
    [0n, 'USD', '0.00'],
    [0n, 'JPY', '0'],
    [5n, 'USD', '0.05'],
    [1234n, 'KWD', '1.234'],
    [1n, 'CLF', '0.0001'],
    [-1000n, 'BHD', '-1.000'],
    ['1250', 'usd', '12.50'],
    ['-7', 'JPY', '-7'],
    [MAX_MINOR_UNITS, 'USD', '92233720368547758.07'],
    [-MAX_MINOR_UNITS, 'JPY', '-9223372036854775807'],
  ])('%s %s → %s', (minor, currency, expected) => {
    expect(fromMinorUnits(minor, currency)).toBe(expected);
  });

  it('round-trips with toMinorUnits', () => {
    for (const [minor, currency] of [
      [1n, 'USD'],
      [-99999n, 'KWD'],
      [123456789n, 'CLF'],
      [42n, 'JPY'],
    ] as const) {
      expect(toMinorUnits(fromMinorUnits(minor, currency), currency)).toBe(minor);
    }
  });

  it('refuses out-of-range amounts, bad strings and unknown currencies', () => {
    expect(moneyError(() => fromMinorUnits(2n ** 63n, 'USD')).code).toBe('OUT_OF_RANGE');
    expect(moneyError(() => fromMinorUnits('12.50', 'USD')).code).toBe('INVALID_AMOUNT');
    expect(moneyError(() => fromMinorUnits(1n, 'XYZ')).code).toBe('UNKNOWN_CURRENCY');
  });
});

describe('parseMinor', () => {
  it.each<[string, bigint]>([
    ['0', 0n],
    ['1', 1n],
    ['-1', -1n],
    ['1250', 1250n],
    ['9223372036854775807', MAX_MINOR_UNITS],
    ['-9223372036854775807', -MAX_MINOR_UNITS],
  ])('%j → %s', (s, expected) => {
    expect(parseMinor(s)).toBe(expected);
  });

  it.each(['', '-', '-0', '01', '+1', '1.0', '1e3', ' 1', '1 ', '0x1', '1_000', 'abc'])('refuses %j', (s) => {
    expect(moneyError(() => parseMinor(s)).code).toBe('INVALID_AMOUNT');
  });

  it('refuses values outside ±(2^63 - 1)', () => {
    expect(moneyError(() => parseMinor('9223372036854775808')).code).toBe('OUT_OF_RANGE');
    expect(moneyError(() => parseMinor('-9223372036854775808')).code).toBe('OUT_OF_RANGE');
    expect(moneyError(() => parseMinor('9'.repeat(10_000))).code).toBe('OUT_OF_RANGE');
  });

  it('refuses non-strings', () => {
    expect(moneyError(() => parseMinor(12 as unknown as string)).code).toBe('INVALID_AMOUNT');
  });
});

describe('proto mapping', () => {
  it('reads and writes the wire form', () => {
    const money = moneyFromProto({ amount_minor: '-1250', currency: 'eur' });
    expect(money).toEqual({ amountMinor: -1250n, currency: 'EUR' });
    expect(moneyToProto(money)).toEqual({ amount_minor: '-1250', currency: 'EUR' });
  });

  it('names the proto field at fault', () => {
    expect(moneyError(() => moneyFromProto({ amount_minor: '1.5', currency: 'USD' })).field).toBe('amount_minor');
    expect(moneyError(() => moneyFromProto({ amount_minor: '1', currency: 'US' })).field).toBe('currency');
    expect(moneyError(() => moneyFromProto({ amount_minor: 'x', currency: 'USD' }, { field: 'price' })).field).toBe(
      'price.amount_minor',
    );
  });

  it('refuses to write an amount that does not fit int64', () => {
    expect(moneyError(() => moneyToProto({ amountMinor: 2n ** 63n, currency: 'USD' })).code).toBe('OUT_OF_RANGE');
    expect(moneyError(() => moneyToProto({ amountMinor: 1n, currency: 'ZZZ' })).code).toBe('UNKNOWN_CURRENCY');
  });
});

describe('assertPositive', () => {
  it('passes positive amounts through and refuses zero and negatives', () => {
    expect(assertPositive(1n)).toBe(1n);
    expect(moneyError(() => assertPositive(0n)).code).toBe('NOT_POSITIVE');
    expect(moneyError(() => assertPositive(-1n, { field: 'amount' })).field).toBe('amount');
  });
});
