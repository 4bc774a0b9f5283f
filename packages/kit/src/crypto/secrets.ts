import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A random token (refresh token, API key, CSRF token) as unpadded base64url (RFC 4648 §5), safe in URLs, headers
 * and cookies without escaping.
 *
 * @param bytes entropy in bytes, at least 16: 128 bits keeps guessing infeasible (the floor RFC 4226 §4 R6 sets
 *   for shared secrets, applied to bearer secrets too); the default 32 gives 256 bits.
 */
export function randomToken(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 1024) {
    throw new RangeError('randomToken needs an integer number of bytes between 16 and 1024');
  }
  return randomBytes(bytes).toString('base64url');
}

/**
 * Lower-case hex SHA-256 of a UTF-8 string. Refresh tokens and API keys are stored only as this digest: they are
 * already 128+ bits of randomness, so a fast unsalted hash suffices and lets the server look a token up by it.
 */
export function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/**
 * Compares two strings in time independent of where they differ. Both sides are hashed to fixed-length SHA-256
 * digests first, because `crypto.timingSafeEqual` requires equal lengths and an early length check would reveal
 * the secret's length.
 */
export function timingSafeEqualString(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}
