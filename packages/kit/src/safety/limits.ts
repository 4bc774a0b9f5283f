import { fromMinorUnits } from '../money';
import { LimitExceededError } from './errors';

/** A caller's limits on one kind of operation in one currency, in minor units. */
export interface AmountLimits {
  /** The most one operation may move. */
  perOperationMax: bigint;
  /** The most the operations of the last {@link ROLLING_WINDOW_MS} may move together. */
  rollingTotalMax: bigint;
  /** Operations strictly above this amount need a confirmation step. */
  confirmationThreshold: bigint;
}

/** The rolling window of the total limit: 24 hours, so two operations either side of midnight count together. */
export const ROLLING_WINDOW_MS = 24 * 3600 * 1000;

/** How errors name the limits and the operation (payments: `per_payment_max`, `daily_total_max`, "payment", "paid"). */
export interface LimitWording {
  perOperationName: string;
  rollingTotalName: string;
  /** "payment", "trade"… */
  noun: string;
  /** What was done with the amounts of the window: "paid", "traded"… */
  spentVerb: string;
}

const format = (minor: bigint, currency: string) => `${fromMinorUnits(minor, currency)} ${currency}`;

/**
 * Refuses an amount above the per-operation maximum, or one that would take the total of the last 24 hours above the
 * rolling maximum. The error (LIMIT_EXCEEDED, field `amount`) names the limit, its value and what is left.
 */
export function checkAmountLimits(input: {
  amount: bigint;
  currency: string;
  limits: AmountLimits;
  /** What counts against the rolling total, in the same currency. */
  spentInWindow: bigint;
  wording: LimitWording;
}): void {
  const { amount, currency, limits, spentInWindow, wording } = input;
  if (amount > limits.perOperationMax) {
    throw new LimitExceededError(
      wording.perOperationName,
      `amount ${format(amount, currency)} is above your per-${wording.noun} limit of ${format(limits.perOperationMax, currency)}`,
      { limit_minor: limits.perOperationMax.toString(), currency },
    );
  }
  if (spentInWindow + amount > limits.rollingTotalMax) {
    const left = limits.rollingTotalMax > spentInWindow ? limits.rollingTotalMax - spentInWindow : 0n;
    throw new LimitExceededError(
      wording.rollingTotalName,
      `this ${wording.noun} would exceed your daily limit of ${format(limits.rollingTotalMax, currency)} ` +
        `(${format(spentInWindow, currency)} ${wording.spentVerb} in the last 24 hours, ${format(left, currency)} left)`,
      { limit_minor: limits.rollingTotalMax.toString(), remaining_minor: left.toString(), currency },
    );
  }
}

/** Amounts strictly above the threshold need a confirmation step. */
export function needsConfirmation(amount: bigint, limits: AmountLimits): boolean {
  return amount > limits.confirmationThreshold;
}

/**
 * A caller's own limits (a null field keeps the default) over the configured defaults; null when some limit is set
 * nowhere, which the caller should treat as "not enabled": money never moves in a currency nobody set limits for.
 */
export function combineLimits(
  own: { [K in keyof AmountLimits]: bigint | null } | null,
  base: AmountLimits | undefined,
): AmountLimits | null {
  const perOperationMax = own?.perOperationMax ?? base?.perOperationMax;
  const rollingTotalMax = own?.rollingTotalMax ?? base?.rollingTotalMax;
  const confirmationThreshold = own?.confirmationThreshold ?? base?.confirmationThreshold;
  if (perOperationMax === undefined || rollingTotalMax === undefined || confirmationThreshold === undefined)
    return null;
  return { perOperationMax, rollingTotalMax, confirmationThreshold };
}
