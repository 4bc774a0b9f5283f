import {
  assertPositive,
  fromMinorUnits,
  MoneyError,
  normalizeCurrency,
  toMinorUnits,
  ValidationError,
} from '@fintech/kit';

/** Reads an ISO 4217 currency argument, upper-cased; unknown or inactive codes are refused. */
export function parseCurrency(code: string, field = 'currency'): string {
  try {
    return normalizeCurrency(code, { field });
  } catch (error) {
    if (error instanceof MoneyError)
      throw new ValidationError(`${field}: unknown or inactive ISO 4217 currency`, field);
    throw error;
  }
}

/**
 * Converts an amount in major units (a decimal string, as the gateway forwards decimal_amount fields) to minor
 * units of the currency, exactly: more decimals than the currency has (10.005 USD), zero and negative amounts are
 * refused with a validation error naming the field.
 */
export function parsePositiveAmount(amount: string, currency: string, field = 'amount'): bigint {
  try {
    return assertPositive(toMinorUnits(amount, currency, { field }), { field });
  } catch (error) {
    if (error instanceof MoneyError) {
      const reason =
        error.code === 'TOO_MANY_DECIMALS'
          ? `${field} has more decimal places than ${currency} allows`
          : error.code === 'NOT_POSITIVE'
            ? `${field} must be greater than zero`
            : error.code === 'OUT_OF_RANGE'
              ? `${field} is too large`
              : `${field} must be a decimal amount such as 12.50`;
      throw new ValidationError(reason, field);
    }
    throw error;
  }
}

/** "12.50 USD". */
export function formatMoney(minor: bigint, currency: string): string {
  return `${fromMinorUnits(minor, currency)} ${currency}`;
}
