import { formatMoney } from './amount';
import { LimitExceededError } from './errors';

/** A user's effective limits in one currency, in minor units. */
export interface CurrencyLimits {
  perPaymentMax: bigint;
  dailyTotalMax: bigint;
  confirmationThreshold: bigint;
}

/**
 * Refuses a payment above the per-payment maximum, or one that would take the total of the last 24 hours (rolling,
 * so a payment just before and one just after midnight count together) above the daily maximum. The error names the
 * limit, its value and what is left.
 */
export function checkLimits(input: {
  amount: bigint;
  currency: string;
  limits: CurrencyLimits;
  spentLast24h: bigint;
}): void {
  const { amount, currency, limits, spentLast24h } = input;
  if (amount > limits.perPaymentMax) {
    throw new LimitExceededError(
      'per_payment_max',
      `amount ${formatMoney(amount, currency)} is above your per-payment limit of ${formatMoney(limits.perPaymentMax, currency)}`,
      { limit_minor: limits.perPaymentMax.toString(), currency },
    );
  }
  if (spentLast24h + amount > limits.dailyTotalMax) {
    const left = limits.dailyTotalMax > spentLast24h ? limits.dailyTotalMax - spentLast24h : 0n;
    throw new LimitExceededError(
      'daily_total_max',
      `this payment would exceed your daily limit of ${formatMoney(limits.dailyTotalMax, currency)} ` +
        `(${formatMoney(spentLast24h, currency)} paid in the last 24 hours, ${formatMoney(left, currency)} left)`,
      { limit_minor: limits.dailyTotalMax.toString(), remaining_minor: left.toString(), currency },
    );
  }
}

/** Payments strictly above the threshold need a confirmation step. */
export function needsConfirmation(amount: bigint, limits: CurrencyLimits): boolean {
  return amount > limits.confirmationThreshold;
}
