/** What a failed sign-in does to the account: count it, and lock once the count reaches the limit. */
export function afterFailedSignIn(
  failedSoFar: number,
  now: Date,
  policy: { maxFailures: number; lockoutSeconds: number },
): { failedSignIns: number; lockedUntil: Date | null } {
  const failed = failedSoFar + 1;
  if (failed >= policy.maxFailures) {
    return { failedSignIns: 0, lockedUntil: new Date(now.getTime() + policy.lockoutSeconds * 1000) };
  }
  return { failedSignIns: failed, lockedUntil: null };
}

export function isLocked(lockedUntil: Date | null, now: Date): boolean {
  return lockedUntil !== null && lockedUntil.getTime() > now.getTime();
}
