/**
 * Fixed-point decimals on bigint. Alpaca puts every amount on the wire as a decimal string ("100.25"); the emulator
 * keeps them as integers so that no cash or quantity ever goes through float arithmetic.
 *
 * Quantities use nano-shares (Alpaca accepts up to 9 decimal places for qty and notional), money and prices use
 * micro-dollars.
 */
export const QTY_SCALE = 9;
export const MONEY_SCALE = 6;

const NANO = 10n ** 9n;

const DECIMAL_PATTERN = /^(\d+)(?:\.(\d+))?$/;

/** Parses a non-negative decimal string into an integer of `scale` decimal places; undefined if malformed or too precise. */
export function parseDecimal(text: string, scale: number): bigint | undefined {
  const match = DECIMAL_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const whole = match[1] ?? '0';
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > scale) return undefined;
  return BigInt(whole) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0') || '0');
}

/** Number of significant decimal places in a decimal string (trailing zeros ignored). */
export function decimalPlaces(text: string): number {
  const fraction = text.trim().split('.')[1] ?? '';
  return fraction.replace(/0+$/, '').length;
}

/** Formats a fixed-point integer as Alpaca does: plain decimal, trailing zeros dropped. */
export function formatDecimal(value: bigint, scale: number, minDecimals = 0): string {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const unit = 10n ** BigInt(scale);
  const whole = magnitude / unit;
  let fraction = (magnitude % unit).toString().padStart(scale, '0').replace(/0+$/, '');
  if (fraction.length < minDecimals) fraction = fraction.padEnd(minDecimals, '0');
  const text = fraction.length > 0 ? `${whole}.${fraction}` : whole.toString();
  return negative && magnitude !== 0n ? `-${text}` : text;
}

/** a * b / divisor, rounded half away from zero. */
export function mulDivRound(a: bigint, b: bigint, divisor: bigint): bigint {
  const product = a * b;
  const negative = product < 0n !== divisor < 0n;
  const absProduct = product < 0n ? -product : product;
  const absDivisor = divisor < 0n ? -divisor : divisor;
  const rounded = (absProduct + absDivisor / 2n) / absDivisor;
  return negative ? -rounded : rounded;
}

/** a * b / divisor, truncated toward zero. */
export function mulDivFloor(a: bigint, b: bigint, divisor: bigint): bigint {
  return (a * b) / divisor;
}

/** Cash value (micro-dollars) of a quantity (nano-shares) at a price (micro-dollars). */
export function notionalOf(qtyNano: bigint, priceMicro: bigint): bigint {
  return mulDivRound(qtyNano, priceMicro, NANO);
}

/** Quantity (nano-shares) a cash amount buys at a price, truncated so it never costs more than the amount. */
export function qtyForNotional(notionalMicro: bigint, priceMicro: bigint): bigint {
  return mulDivFloor(notionalMicro, NANO, priceMicro);
}

export function centsToMicros(cents: number): bigint {
  return BigInt(cents) * 10_000n;
}

export const formatMoney = (micros: bigint): string => formatDecimal(micros, MONEY_SCALE);
export const formatQty = (nano: bigint): string => formatDecimal(nano, QTY_SCALE);

/** A ratio of two fixed-point amounts as a decimal string with up to `places` decimals (Alpaca's "by a factor of 1"). */
export function formatRatio(numerator: bigint, denominator: bigint, places = 10): string {
  if (denominator === 0n) return '0';
  return formatDecimal(mulDivRound(numerator, 10n ** BigInt(places), denominator), places);
}

/** Converts micro-dollars to a JSON number for the few fields Alpaca sends as numbers (portfolio history, bars). */
export function microsToNumber(micros: bigint): number {
  return Number(formatDecimal(micros, MONEY_SCALE));
}

export const maxBigInt = (a: bigint, b: bigint): bigint => (a > b ? a : b);
export const minBigInt = (a: bigint, b: bigint): bigint => (a < b ? a : b);
