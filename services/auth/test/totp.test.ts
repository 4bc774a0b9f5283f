import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  generateTotpSecret,
  hotp,
  otpauthUri,
  totpCode,
  totpStep,
  verifyTotp,
} from '../src/domain/totp';

// The shared secret of RFC 4226 Appendix D and RFC 6238 Appendix B (SHA1): ASCII "12345678901234567890".
const rfcSecret = Buffer.from('12345678901234567890', 'ascii');

describe('base32 (RFC 4648 §10 test vectors)', () => {
  it.each([
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])('%j ↔ %s', (plain, encoded) => {
    expect(base32Encode(Buffer.from(plain, 'ascii'))).toBe(encoded);
    expect(base32Decode(encoded).toString('ascii')).toBe(plain);
    expect(base32Decode(encoded.toLowerCase()).toString('ascii')).toBe(plain);
  });

  it.each([
    ['MY======', 'f'],
    ['MZXQ====', 'fo'],
    ['MZXW6===', 'foo'],
    ['MZXW6YQ=', 'foob'],
    ['MZXW6YTBOI======', 'foobar'],
  ])('accepts the padded form %s', (encoded, plain) => {
    expect(base32Decode(encoded).toString('ascii')).toBe(plain);
  });

  it('round-trips random secrets', () => {
    for (let i = 0; i < 50; i++) {
      const secret = generateTotpSecret();
      expect(base32Decode(base32Encode(secret)).equals(secret)).toBe(true);
    }
  });

  it.each(['M', 'MZX', 'MZXW6Y', 'MZ XW', 'MZXW1', 'MZXW8', 'MZ=XW', 'MY=', 'MY==============', 'MZ'])(
    'refuses %j',
    (encoded) => {
      expect(() => base32Decode(encoded)).toThrow(TypeError);
    },
  );
});

describe('generateTotpSecret', () => {
  it('returns 160 random bits', () => {
    const a = generateTotpSecret();
    expect(a).toHaveLength(20);
    expect(generateTotpSecret().equals(a)).toBe(false);
  });
});

describe('hotp (RFC 4226 Appendix D)', () => {
  it.each([
    [0, '755224'],
    [1, '287082'],
    [2, '359152'],
    [3, '969429'],
    [4, '338314'],
    [5, '254676'],
    [6, '287922'],
    [7, '162583'],
    [8, '399871'],
    [9, '520489'],
  ])('counter %i → %s', (counter, code) => {
    expect(hotp(rfcSecret, counter)).toBe(code);
    expect(hotp(rfcSecret, BigInt(counter))).toBe(code);
  });

  it('refuses unsupported digits and counters', () => {
    expect(() => hotp(rfcSecret, 0, 5)).toThrow(RangeError);
    expect(() => hotp(rfcSecret, 0, 9)).toThrow(RangeError);
    expect(() => hotp(rfcSecret, -1)).toThrow(RangeError);
    expect(() => hotp(rfcSecret, 2n ** 64n)).toThrow(RangeError);
  });
});

describe('totpCode (RFC 6238 Appendix B, SHA1)', () => {
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('at %i s → %s (8 digits) and its last 6 digits', (seconds, code) => {
    expect(totpCode(rfcSecret, seconds * 1000, 8)).toBe(code);
    expect(totpCode(rfcSecret, seconds * 1000)).toBe(code.slice(2));
  });

  it('steps every 30 seconds from the epoch', () => {
    expect(totpStep(0)).toBe(0);
    expect(totpStep(29_999)).toBe(0);
    expect(totpStep(30_000)).toBe(1);
    expect(totpStep(59_000)).toBe(1);
    expect(() => totpStep(-1)).toThrow(RangeError);
    expect(() => totpStep(Number.NaN)).toThrow(RangeError);
  });
});

describe('verifyTotp', () => {
  const secret = generateTotpSecret();
  const now = 1_700_000_015_000;
  const step = totpStep(now);
  const codeAt = (s: number) => hotp(secret, s);

  it('accepts the current code and returns its step', () => {
    expect(verifyTotp({ secret, code: codeAt(step), atMs: now, lastUsedStep: null })).toEqual({ ok: true, step });
  });

  it('accepts one step either side', () => {
    expect(verifyTotp({ secret, code: codeAt(step - 1), atMs: now, lastUsedStep: null })).toEqual({
      ok: true,
      step: step - 1,
    });
    expect(verifyTotp({ secret, code: codeAt(step + 1), atMs: now, lastUsedStep: null })).toEqual({
      ok: true,
      step: step + 1,
    });
  });

  it('refuses two steps either side', () => {
    for (const other of [step - 2, step + 2]) {
      const code = codeAt(other);
      // Skip the one-in-a-million case where the far code equals a code inside the window.
      if ([step - 1, step, step + 1].some((s) => codeAt(s) === code)) continue;
      expect(verifyTotp({ secret, code, atMs: now, lastUsedStep: null })).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('with window 0 accepts only the current step', () => {
    expect(verifyTotp({ secret, code: codeAt(step), atMs: now, lastUsedStep: null, window: 0 }).ok).toBe(true);
    expect(verifyTotp({ secret, code: codeAt(step - 1), atMs: now, lastUsedStep: null, window: 0 }).ok).toBe(false);
    expect(() => verifyTotp({ secret, code: codeAt(step), atMs: now, lastUsedStep: null, window: 2 })).toThrow(
      RangeError,
    );
  });

  it('refuses the same code twice', () => {
    const first = verifyTotp({ secret, code: codeAt(step), atMs: now, lastUsedStep: null });
    expect(first).toEqual({ ok: true, step });
    expect(verifyTotp({ secret, code: codeAt(step), atMs: now + 5_000, lastUsedStep: step })).toEqual({
      ok: false,
      reason: 'replayed',
    });
  });

  it('refuses an older code after a newer one was used', () => {
    expect(verifyTotp({ secret, code: codeAt(step - 1), atMs: now, lastUsedStep: step })).toEqual({
      ok: false,
      reason: 'replayed',
    });
    expect(verifyTotp({ secret, code: codeAt(step + 1), atMs: now, lastUsedStep: step })).toEqual({
      ok: true,
      step: step + 1,
    });
  });

  it('refuses a code from another secret', () => {
    const other = generateTotpSecret();
    const code = hotp(other, step);
    if ([step - 1, step, step + 1].some((s) => codeAt(s) === code)) return;
    expect(verifyTotp({ secret, code, atMs: now, lastUsedStep: null })).toEqual({ ok: false, reason: 'invalid' });
  });

  it.each(['', '12345', '1234567', '12 345', ' 123456', 'abcdef', '１２３４５６'])(
    'refuses the malformed code %j',
    (code) => {
      expect(verifyTotp({ secret, code, atMs: now, lastUsedStep: null })).toEqual({ ok: false, reason: 'invalid' });
    },
  );
});

describe('otpauthUri', () => {
  it('follows the Key Uri Format', () => {
    const uri = otpauthUri({
      secret: base32Decode('JBSWY3DPEHPK3PXP'),
      accountName: 'alice@example.com',
      issuer: 'Acme Pay',
    });
    expect(uri).toBe(
      'otpauth://totp/Acme%20Pay:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme%20Pay&algorithm=SHA1&digits=6&period=30',
    );
  });

  it('accepts a base32 secret and normalises it', () => {
    const uri = otpauthUri({ secret: 'jbswy3dpehpk3pxp', accountName: 'bob', issuer: 'Acme' });
    expect(uri).toContain('secret=JBSWY3DPEHPK3PXP&');
  });

  it('encodes reserved characters in labels', () => {
    const uri = otpauthUri({ secret: rfcSecret, accountName: 'a&b?c#d/e', issuer: 'R&D' });
    expect(uri.startsWith('otpauth://totp/R%26D:a%26b%3Fc%23d%2Fe?')).toBe(true);
    expect(uri).toContain('&issuer=R%26D&');
  });

  it('refuses colons and empty names', () => {
    expect(() => otpauthUri({ secret: rfcSecret, accountName: 'a:b', issuer: 'Acme' })).toThrow(TypeError);
    expect(() => otpauthUri({ secret: rfcSecret, accountName: 'a', issuer: 'Ac:me' })).toThrow(TypeError);
    expect(() => otpauthUri({ secret: rfcSecret, accountName: '', issuer: 'Acme' })).toThrow(TypeError);
  });
});
