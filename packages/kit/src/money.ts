/**
 * Money inside the fleet is an integer count of minor units (a `bigint` in code, an int64 decimal string on the
 * wire) together with an ISO 4217 alphabetic currency code. Conversions to and from major units are exact: no
 * floating-point arithmetic touches an amount (see ARCHITECTURE.md, "Money and time").
 */

/** Why a money value was refused. */
export type MoneyErrorCode =
  'UNKNOWN_CURRENCY' | 'INVALID_AMOUNT' | 'TOO_MANY_DECIMALS' | 'OUT_OF_RANGE' | 'NOT_POSITIVE';

/** A money value that cannot be represented exactly, or a currency ISO 4217 does not list as active. */
export class MoneyError extends Error {
  override readonly name = 'MoneyError';

  /**
   * @param code machine-readable reason, stable across releases
   * @param message human-readable explanation
   * @param field the input field at fault, when the caller named one (e.g. `amount_minor`)
   */
  constructor(
    readonly code: MoneyErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(field === undefined ? message : `${field}: ${message}`);
  }
}

/** An amount in integer minor units of an upper-case ISO 4217 currency. */
export type Money = { amountMinor: bigint; currency: string };

/** The wire form of {@link Money}: protobuf int64 is carried as a decimal string so no JSON layer rounds it. */
export type MoneyProto = { amount_minor: string; currency: string };

/** Options shared by the parsing functions. */
export type MoneyOptions = {
  /** Name of the input field, reported in {@link MoneyError.field} so a handler can point at it. */
  field?: string;
};

/**
 * The largest magnitude an amount may have, in minor units: int64's maximum, 2^63 - 1. The range is kept
 * symmetric (-2^63 is refused too) so that negating an amount can never overflow int64.
 */
export const MAX_MINOR_UNITS = 2n ** 63n - 1n;

// ISO 4217 List One, active codes with their minor-unit exponents, as published in 2025. Codes whose minor unit
// ISO gives as "N.A." (XAU, XAG, XPD, XPT, XDR, XSU, XUA, XTS, XXX) are not amounts a payment can carry and are
// refused like any unknown code. Withdrawn codes (HRK, SLL, ZWL, CUC, …) are refused; ANG stays listed while
// amounts recorded before its 2025 replacement by XCG may still be read back.
// prettier-ignore
const EXPONENT_0 = [
  'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF',
  'XPF',
] as const;
const EXPONENT_3 = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'] as const;
const EXPONENT_4 = ['CLF', 'UYW'] as const;
// prettier-ignore
const EXPONENT_2 = [
  'AED', 'AFN', 'ALL', 'AMD', 'ANG', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT', 'BGN', 'BMD', 'BND',
  'BOB', 'BOV', 'BRL', 'BSD', 'BTN', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF', 'CHE', 'CHF', 'CHW', 'CNY', 'COP', 'COU',
  'CRC', 'CUP', 'CVE', 'CZK', 'DKK', 'DOP', 'DZD', 'EGP', 'ERN', 'ETB', 'EUR', 'FJD', 'FKP', 'GBP', 'GEL', 'GHS',
  'GIP', 'GMD', 'GTQ', 'GYD', 'HKD', 'HNL', 'HTG', 'HUF', 'IDR', 'ILS', 'INR', 'IRR', 'JMD', 'KES', 'KGS', 'KHR',
  'KPW', 'KYD', 'KZT', 'LAK', 'LBP', 'LKR', 'LRD', 'LSL', 'MAD', 'MDL', 'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MRU',
  'MUR', 'MVR', 'MWK', 'MXN', 'MXV', 'MYR', 'MZN', 'NAD', 'NGN', 'NIO', 'NOK', 'NPR', 'NZD', 'PAB', 'PEN', 'PGK',
  'PHP', 'PKR', 'PLN', 'QAR', 'RON', 'RSD', 'RUB', 'SAR', 'SBD', 'SCR', 'SDG', 'SEK', 'SGD', 'SHP', 'SLE', 'SOS',
  'SRD', 'SSP', 'STN', 'SVC', 'SYP', 'SZL', 'THB', 'TJS', 'TMT', 'TOP', 'TRY', 'TTD', 'TWD', 'TZS', 'UAH', 'USD',
  'USN', 'UYU', 'UZS', 'VED', 'VES', 'WST', 'XCD', 'XCG', 'YER', 'ZAR', 'ZMW', 'ZWG',
] as const;

const EXPONENTS: ReadonlyMap<string, number> = new Map<string, number>([
  ...EXPONENT_0.map((c) => [c, 0] as const),
  ...EXPONENT_2.map((c) => [c, 2] as const),
  ...EXPONENT_3.map((c) => [c, 3] as const),
  ...EXPONENT_4.map((c) => [c, 4] as const),
]);

/** Every currency code {@link currencyExponent} accepts, upper case, sorted. */
export const SUPPORTED_CURRENCIES: readonly string[] = Object.freeze([...EXPONENTS.keys()].sort());

/**
 * Normalises a currency code to the upper-case form ISO 4217 defines, refusing codes that are not active.
 *
 * @throws {MoneyError} `UNKNOWN_CURRENCY`
 */
export function normalizeCurrency(code: string, options: MoneyOptions = {}): string {
  const upper = typeof code === 'string' ? code.toUpperCase() : '';
  if (!EXPONENTS.has(upper)) {
    throw new MoneyError(
      'UNKNOWN_CURRENCY',
      `unknown or inactive ISO 4217 currency ${JSON.stringify(code)}`,
      options.field,
    );
  }
  return upper;
}

/**
 * The ISO 4217 minor-unit exponent of a currency: 2 for USD (1 USD = 100 cents), 0 for JPY, 3 for KWD, 4 for CLF.
 * The code is matched case-insensitively.
 *
 * @throws {MoneyError} `UNKNOWN_CURRENCY` for a code that is not on ISO 4217's active list
 */
export function currencyExponent(code: string, options: MoneyOptions = {}): number {
  // normalizeCurrency has refused anything not in the table, so the lookup cannot miss.
  return EXPONENTS.get(normalizeCurrency(code, options)) as number;
}

// Optional sign, at least one digit, optionally a point followed by at least one digit. '.5', '1.', '+1', '1e3',
// ' 1', '1,000' and '' are all refused: a seed that writes money in any of those ways is ambiguous or malformed,
// and rejecting it is safer than guessing.
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
// What String(number) yields for magnitudes >= 1e21 or < 1e-6: ECMAScript Number::toString switches to
// exponent notation there, e.g. '1e+21', '1.5e-7'.
const NUMBER_EXPONENT_FORM = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/;
// protobuf int64 as a decimal string in canonical form: no sign on zero, no leading zeros, no '+'.
const CANONICAL_INTEGER = /^(?:0|-?[1-9]\d*)$/;

function checkRange(minor: bigint, options: MoneyOptions): bigint {
  if (minor > MAX_MINOR_UNITS || minor < -MAX_MINOR_UNITS) {
    throw new MoneyError('OUT_OF_RANGE', 'amount exceeds the int64 range of minor units', options.field);
  }
  return minor;
}

/**
 * Scales sign/integer/fraction digits (value = ±intDigits.fracDigits × 10^shift) to minor units, exactly.
 * Trailing zeros in the fraction do not count against the exponent because they do not change the value.
 */
function digitsToMinor(
  negative: boolean,
  intDigits: string,
  fracDigits: string,
  shift: number,
  exponent: number,
  options: MoneyOptions,
): bigint {
  const fraction = fracDigits.replace(/0+$/, '');
  // Number of decimal places the value has after applying the shift; a negative count means trailing zeros.
  const places = fraction.length - shift;
  if (places > exponent) {
    throw new MoneyError(
      'TOO_MANY_DECIMALS',
      `amount has more decimal places than the currency's ISO 4217 minor unit (${exponent})`,
      options.field,
    );
  }
  // Guard before building a huge power of ten from an absurd exponent such as '1e+400'.
  const significant = (intDigits + fraction).replace(/^0+/, '');
  if (significant.length > 0 && significant.length + exponent - places > 19) {
    throw new MoneyError('OUT_OF_RANGE', 'amount exceeds the int64 range of minor units', options.field);
  }
  const magnitude = BigInt(intDigits + fraction) * 10n ** BigInt(exponent - places);
  return checkRange(negative ? -magnitude : magnitude, options);
}

/**
 * Converts an amount in major units to integer minor units of `currency`, exactly.
 *
 * - `string`: strict decimal grammar `-?\d+(\.\d+)?`. No exponent, whitespace, '+', thousands separators, and no
 *   bare '.5' or '1.' (refused rather than guessed). Trailing zeros that do not change the value are accepted:
 *   `'12.500'` USD is 1250n, but `'10.005'` USD is refused.
 * - `number`: must be finite; it is read through its shortest round-trip decimal (`String(n)`, the digits a JSON
 *   seed shows), including the exponent notation `String` uses for 1e21 and above or below 1e-6, and never
 *   multiplied as a float. Magnitudes above `Number.MAX_SAFE_INTEGER` are refused: above 2^53 a number no longer
 *   holds the integer it was written as, so such amounts must come as strings.
 * - `bigint`: a whole number of major units.
 *
 * @example toMinorUnits('12.50', 'USD') === 1250n; toMinorUnits(1000, 'JPY') === 1000n; toMinorUnits('1.234', 'KWD') === 1234n
 * @throws {MoneyError} `UNKNOWN_CURRENCY`, `INVALID_AMOUNT`, `TOO_MANY_DECIMALS` (more decimals than the ISO 4217
 *   exponent allows), `OUT_OF_RANGE` (more than 2^63 - 1 minor units in magnitude)
 */
export function toMinorUnits(amount: string | number | bigint, currency: string, options: MoneyOptions = {}): bigint {
  const exponent = currencyExponent(currency, options);

  if (typeof amount === 'bigint') {
    return checkRange(amount * 10n ** BigInt(exponent), options);
  }

  if (typeof amount === 'number') {
    if (!Number.isFinite(amount)) {
      throw new MoneyError('INVALID_AMOUNT', `amount must be a finite number, got ${amount}`, options.field);
    }
    if (Math.abs(amount) > Number.MAX_SAFE_INTEGER) {
      throw new MoneyError(
        'OUT_OF_RANGE',
        'amount is beyond the exactly representable range of a number; pass it as a decimal string',
        options.field,
      );
    }
    const text = String(amount);
    const exp = NUMBER_EXPONENT_FORM.exec(text);
    if (exp) {
      const [, sign = '', intDigits = '', fracDigits = '', shift = '0'] = exp;
      // The shift moves the decimal point: value = digits × 10^shift, shift counted past the written fraction.
      return digitsToMinor(sign === '-', intDigits, fracDigits, Number(shift), exponent, options);
    }
    return parseDecimal(text, exponent, options);
  }

  if (typeof amount !== 'string') {
    throw new MoneyError('INVALID_AMOUNT', 'amount must be a decimal string, a number or a bigint', options.field);
  }
  return parseDecimal(amount, exponent, options);
}

function parseDecimal(text: string, exponent: number, options: MoneyOptions): bigint {
  const match = DECIMAL.exec(text);
  if (!match) {
    throw new MoneyError(
      'INVALID_AMOUNT',
      `amount ${JSON.stringify(text)} is not a plain decimal such as "12.50"`,
      options.field,
    );
  }
  const [, sign = '', intDigits = '', fracDigits = ''] = match;
  return digitsToMinor(sign === '-', intDigits, fracDigits, 0, exponent, options);
}

/**
 * Parses a protobuf int64 carried as a decimal string (the proto3 JSON mapping of int64) into a bigint.
 * Only the canonical form is accepted: optional '-', no leading zeros, no '+', no '-0', no whitespace.
 *
 * @throws {MoneyError} `INVALID_AMOUNT` for anything else, `OUT_OF_RANGE` beyond ±(2^63 - 1)
 */
export function parseMinor(s: string, options: MoneyOptions = {}): bigint {
  if (typeof s !== 'string' || !CANONICAL_INTEGER.test(s)) {
    throw new MoneyError(
      'INVALID_AMOUNT',
      `${JSON.stringify(s)} is not a canonical int64 decimal string`,
      options.field,
    );
  }
  // 20 digits is already beyond int64; stop before BigInt parses an arbitrarily long string.
  if (s.replace('-', '').length > 19) {
    throw new MoneyError('OUT_OF_RANGE', 'amount exceeds the int64 range of minor units', options.field);
  }
  return checkRange(BigInt(s), options);
}

/**
 * Formats minor units of `currency` as the canonical decimal string in major units: exactly as many decimals as
 * the ISO 4217 exponent, no grouping, '-' for negatives. `1250n` USD → `'12.50'`, `1000n` JPY → `'1000'`,
 * `-5n` USD → `'-0.05'`. A string input is read with {@link parseMinor}.
 *
 * @throws {MoneyError} `UNKNOWN_CURRENCY`, `INVALID_AMOUNT`, `OUT_OF_RANGE`
 */
export function fromMinorUnits(minor: bigint | string, currency: string, options: MoneyOptions = {}): string {
  const exponent = currencyExponent(currency, options);
  const value = typeof minor === 'bigint' ? checkRange(minor, options) : parseMinor(minor, options);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(exponent + 1, '0');
  const sign = negative ? '-' : '';
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/**
 * Reads a money value from its protobuf form, validating the int64 string and the currency.
 * Errors name the offending proto field (`amount_minor` or `currency`), prefixed by `options.field` if given.
 *
 * @throws {MoneyError}
 */
export function moneyFromProto(proto: MoneyProto, options: MoneyOptions = {}): Money {
  const prefix = options.field === undefined ? '' : `${options.field}.`;
  return {
    amountMinor: parseMinor(proto.amount_minor, { field: `${prefix}amount_minor` }),
    currency: normalizeCurrency(proto.currency, { field: `${prefix}currency` }),
  };
}

/**
 * Writes a money value in its protobuf form: int64 as a decimal string, currency upper case.
 *
 * @throws {MoneyError} if the amount is out of int64 range or the currency is unknown, so nothing invalid leaves
 */
export function moneyToProto(money: Money): MoneyProto {
  return {
    amount_minor: checkRange(money.amountMinor, { field: 'amount_minor' }).toString(),
    currency: normalizeCurrency(money.currency, { field: 'currency' }),
  };
}

/**
 * Refuses zero and negative amounts, for operations (charges, transfers, refunds) where only a positive amount
 * makes sense; the direction of money is carried by the operation, not by the sign.
 *
 * @throws {MoneyError} `NOT_POSITIVE`
 */
export function assertPositive(minor: bigint, options: MoneyOptions = {}): bigint {
  if (minor <= 0n) {
    throw new MoneyError('NOT_POSITIVE', 'amount must be greater than zero', options.field);
  }
  return minor;
}
