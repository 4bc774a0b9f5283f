/**
 * The lockout policy: `maxFailures` attempts (wrong passwords and wrong one-time codes together) in a row, then the
 * account refuses every attempt — the right password included — for `lockoutSeconds`.
 *
 * An attempt is counted before it is evaluated (docs/decisions/015): the count is a budget of evaluations that
 * concurrent requests take one at a time from the database row, so however many arrive at once, at most
 * `maxFailures` of them are ever evaluated before the lock.
 */
export interface LockoutPolicy {
  maxFailures: number;
  lockoutSeconds: number;
}

/** One counted attempt: its position in the current run and the lock it placed, if it took the last slot. */
export interface CountedAttempt {
  count: number;
  /** Set when this attempt took the last slot: the lock stands unless this very attempt succeeds. */
  lockedUntil: Date | null;
}

/** When a lock placed at `now` lapses. */
export function lockEnd(now: Date, policy: LockoutPolicy): Date {
  return new Date(now.getTime() + policy.lockoutSeconds * 1000);
}
