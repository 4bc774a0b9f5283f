import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Time-based one-time passwords as RFC 6238 defines them, with the parameters every authenticator app supports:
 * HMAC-SHA1, 6 digits, 30-second steps counted from the Unix epoch. Pure functions; the caller persists the secret
 * and the last accepted step.
 */

/** RFC 6238 §4.1: the time step X, in seconds. */
export const TOTP_PERIOD_SECONDS = 30;
/** Digits of a TOTP code; RFC 4226 §5.3 requires at least 6. */
export const TOTP_DIGITS = 6;
/** Secret length in bytes: 160 bits, the HMAC-SHA1 output size. RFC 4226 §4 R6 requires ≥128 bits and recommends 160. */
export const TOTP_SECRET_BYTES = 20;

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A fresh random TOTP shared secret of 160 bits (RFC 4226 §4 R6). */
export function generateTotpSecret(): Buffer {
  return randomBytes(TOTP_SECRET_BYTES);
}

/**
 * Base32 per RFC 4648 §6, upper case and without '=' padding, the form authenticator apps expect in otpauth URIs.
 */
export function base32Encode(data: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of data) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes RFC 4648 §6 base32, case-insensitively. Padding is optional, but if present it must be the exact
 * amount RFC 4648 prescribes. Characters outside the alphabet (including spaces), impossible lengths and non-zero
 * trailing bits are refused, so each secret has exactly one accepted spelling apart from case and padding.
 *
 * @throws {TypeError} on malformed input
 */
export function base32Decode(text: string): Buffer {
  const upper = text.toUpperCase();
  const unpadded = upper.replace(/=+$/, '');
  // RFC 4648 §6: the final quantum leaves 2, 4, 5 or 7 characters; 1, 3 or 6 can never occur.
  const remainder = unpadded.length % 8;
  if (remainder === 1 || remainder === 3 || remainder === 6) {
    throw new TypeError('base32 text has an impossible length');
  }
  if (unpadded.length !== upper.length && upper.length !== Math.ceil(unpadded.length / 8) * 8) {
    throw new TypeError('base32 padding does not complete the final 8-character group');
  }
  const out = Buffer.alloc(Math.floor((unpadded.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of unpadded) {
    const value = BASE32_ALPHABET.indexOf(char);
    if (value === -1) throw new TypeError(`base32 text contains ${JSON.stringify(char)}`);
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) throw new TypeError('base32 text has non-zero trailing bits');
  return out;
}

/**
 * HOTP (RFC 4226 §5.3): HMAC-SHA1 over the 8-byte big-endian counter, dynamic truncation to 31 bits, modulo
 * 10^digits, left-padded with zeros.
 *
 * @param digits 6 to 8; 6 is what authenticator apps show, 8 matches the RFC 6238 Appendix B vectors
 */
export function hotp(secret: Uint8Array, counter: number | bigint, digits: number = TOTP_DIGITS): string {
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) throw new RangeError('HOTP digits must be 6, 7 or 8');
  const value = BigInt(counter);
  if (value < 0n || value >= 2n ** 64n) throw new RangeError('HOTP counter must fit an unsigned 64-bit integer');
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(value);
  const mac = createHmac('sha1', secret).update(message).digest();
  // RFC 4226 §5.4: the low nibble of the last byte selects where the 4-byte window starts; the top bit is masked
  // so the result reads the same as a signed or an unsigned integer.
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}

/** The RFC 6238 §4.2 time step T = floor(unixSeconds / 30) for a time in milliseconds since the Unix epoch. */
export function totpStep(atMs: number): number {
  if (!Number.isFinite(atMs) || atMs < 0) throw new RangeError('TOTP time must be a non-negative finite number of ms');
  return Math.floor(atMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** The TOTP code (RFC 6238 §4.2: HOTP with the time step as counter) valid at `atMs`. */
export function totpCode(secret: Uint8Array, atMs: number, digits: number = TOTP_DIGITS): string {
  return hotp(secret, totpStep(atMs), digits);
}

/** Input of {@link verifyTotp}. */
export type VerifyTotpInput = {
  secret: Uint8Array;
  /** The code the user typed: exactly six ASCII digits; strip any spaces the UI allows before calling. */
  code: string;
  atMs: number;
  /** The step returned by the last successful verification for this secret, or null if none. */
  lastUsedStep: number | null;
  /** Steps accepted either side of the current one: 0 or 1 (the default). */
  window?: number;
};

/** Outcome of {@link verifyTotp}; on success the caller must store `step` as the new `lastUsedStep`. */
export type VerifyTotpResult = { ok: true; step: number } | { ok: false; reason: 'invalid' | 'replayed' };

/**
 * Verifies a TOTP code.
 *
 * - Accepts the current step and at most one step either side (RFC 6238 §5.2 recommends allowing at most one
 *   step of transmission delay, and clocks drift both ways), so a code from two steps ago is refused.
 * - Compares every candidate in constant time and checks them all, so timing does not reveal which step matched.
 * - Refuses a step at or before `lastUsedStep` (RFC 6238 §5.2: the verifier MUST NOT accept the second attempt of
 *   the same OTP), which also refuses an older code once a newer one was used.
 */
export function verifyTotp(input: VerifyTotpInput): VerifyTotpResult {
  const { secret, code, atMs, lastUsedStep } = input;
  const window = input.window ?? 1;
  if (window !== 0 && window !== 1) throw new RangeError('TOTP window must be 0 or 1 step');
  if (typeof code !== 'string' || !/^\d{6}$/.test(code)) return { ok: false, reason: 'invalid' };

  const current = totpStep(atMs);
  const typed = Buffer.from(code, 'ascii');
  let accepted: number | null = null;
  let replayed = false;
  for (let step = current - window; step <= current + window; step++) {
    if (step < 0) continue;
    const matches = timingSafeEqual(Buffer.from(hotp(secret, step), 'ascii'), typed);
    if (!matches) continue;
    if (lastUsedStep !== null && step <= lastUsedStep) replayed = true;
    else accepted = step;
  }
  if (accepted !== null) return { ok: true, step: accepted };
  return { ok: false, reason: replayed ? 'replayed' : 'invalid' };
}

/** Input of {@link otpauthUri}. */
export type OtpauthUriInput = {
  /** The shared secret, as bytes or already base32-encoded. */
  secret: Uint8Array | string;
  /** Shown under the issuer in the app, usually the user's email. */
  accountName: string;
  /** The service name, shown in the app and used to group accounts. */
  issuer: string;
};

/**
 * The `otpauth://totp/…` URI an authenticator app scans as a QR code, per Google Authenticator's Key Uri Format:
 * label `Issuer:accountName` (each part percent-encoded, spaces as %20), and the `issuer` parameter repeated
 * because the format recommends both. The algorithm, digits and period are stated explicitly even though they are
 * the defaults, so apps that require them work too.
 *
 * @throws {TypeError} if the issuer or account name is empty or contains ':', which the format reserves as the
 *   label separator
 */
export function otpauthUri(input: OtpauthUriInput): string {
  const { accountName, issuer } = input;
  for (const [name, value] of [
    ['issuer', issuer],
    ['accountName', accountName],
  ] as const) {
    if (typeof value !== 'string' || value === '' || value.includes(':')) {
      throw new TypeError(`${name} must be a non-empty string without ':'`);
    }
  }
  const secret =
    typeof input.secret === 'string' ? base32Encode(base32Decode(input.secret)) : base32Encode(input.secret);
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const query = [
    `secret=${secret}`,
    `issuer=${encodeURIComponent(issuer)}`,
    'algorithm=SHA1',
    `digits=${TOTP_DIGITS}`,
    `period=${TOTP_PERIOD_SECONDS}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}
