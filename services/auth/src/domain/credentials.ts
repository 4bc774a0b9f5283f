import { ValidationError } from '@fintech/kit';

/** Email addresses are compared trimmed and lower-cased: the blind index and the stored value use this form. */
export function normalizeEmail(email: string): string {
  const normalized = email.trim().toLowerCase();
  // A deliberately simple shape check (RFC 5321 allows more; delivery proves an address, not a regex).
  if (normalized.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normalized)) {
    throw new ValidationError('username must be an email address', 'username');
  }
  return normalized;
}

/**
 * Password rules for new passwords, after NIST SP 800-63B §5.1.1: a minimum length, a generous maximum, no
 * composition rules.
 */
export function assertAcceptablePassword(password: string): void {
  if (password.length < 12) throw new ValidationError('password must have at least 12 characters', 'password');
  if (password.length > 1024) throw new ValidationError('password must have at most 1024 characters', 'password');
}

/** OWASP's argon2id parameters (Password Storage Cheat Sheet): 19 MiB memory, 2 iterations, 1 lane. */
export const ARGON2_PARAMETERS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
