import type { LimitWording } from '@fintech/kit';

/** How payment limits are named in errors and in PAYMENT_LIMITS / user_limits (docs/decisions/011). */
export const PAYMENT_LIMIT_WORDING: LimitWording = {
  perOperationName: 'per_payment_max',
  rollingTotalName: 'daily_total_max',
  noun: 'payment',
  spentVerb: 'paid',
};
