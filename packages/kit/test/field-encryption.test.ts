import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  FieldDecryptionError,
  FieldKeyError,
  createFieldCipher,
  parseFieldKeys,
  randomToken,
  sha256Hex,
  timingSafeEqualString,
  type FieldAad,
} from '../src/index';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const aad: FieldAad = { table: 'users', column: 'email', rowId: 'usr_123' };

function flipBit(stored: string, byteIndex: number, bit: number): string {
  const colon = stored.indexOf(':');
  const bytes = Buffer.from(stored.slice(colon + 1), 'base64url');
  bytes[byteIndex] = (bytes[byteIndex] ?? 0) ^ (1 << bit);
  return `${stored.slice(0, colon)}:${bytes.toString('base64url')}`;
}

describe('createFieldCipher', () => {
  const cipher = createFieldCipher({ keys: { v1: k1 }, current: 'v1' });

  it('round-trips, including empty and non-ASCII values', () => {
    for (const value of ['alice@example.com', '', 'Zoë Ångström 👩‍💻', 'x'.repeat(10_000)]) {
      expect(cipher.decrypt(cipher.encrypt(value, aad), aad)).toBe(value);
    }
  });

  it('writes <version>:<base64url(iv || ciphertext || tag)>', () => {
    const stored = cipher.encrypt('hello', aad);
    expect(stored).toMatch(/^v1:[A-Za-z0-9_-]+$/);
    expect(Buffer.from(stored.slice(3), 'base64url')).toHaveLength(12 + 5 + 16);
  });

  it('produces a different ciphertext every time', () => {
    const seen = new Set(Array.from({ length: 50 }, () => cipher.encrypt('same', aad)));
    expect(seen.size).toBe(50);
  });

  it.each<[string, FieldAad]>([
    ['row id', { ...aad, rowId: 'usr_124' }],
    ['column', { ...aad, column: 'phone' }],
    ['table', { ...aad, table: 'admins' }],
  ])('refuses a value moved to another %s', (_what, other) => {
    const stored = cipher.encrypt('alice@example.com', aad);
    expect(() => cipher.decrypt(stored, other)).toThrow(FieldDecryptionError);
  });

  it('does not confuse table and column boundaries', () => {
    const stored = cipher.encrypt('v', { table: 'a.b', column: 'c', rowId: '1' });
    expect(() => cipher.decrypt(stored, { table: 'a', column: 'b.c', rowId: '1' })).toThrow(FieldDecryptionError);
    const stored2 = cipher.encrypt('v', { table: 'a', column: 'bc', rowId: '1' });
    expect(() => cipher.decrypt(stored2, { table: 'ab', column: 'c', rowId: '1' })).toThrow(FieldDecryptionError);
  });

  it('treats a numeric row id and its decimal string as the same row', () => {
    const stored = cipher.encrypt('v', { ...aad, rowId: 42 });
    expect(cipher.decrypt(stored, { ...aad, rowId: '42' })).toBe('v');
    expect(cipher.decrypt(stored, { ...aad, rowId: 42n })).toBe('v');
  });

  it('detects a flipped bit anywhere in iv, ciphertext or tag', () => {
    const stored = cipher.encrypt('secret', aad);
    const length = Buffer.from(stored.slice(3), 'base64url').length;
    for (let i = 0; i < length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        expect(() => cipher.decrypt(flipBit(stored, i, bit), aad)).toThrow(FieldDecryptionError);
      }
    }
  });

  it('detects any altered character of the stored text', () => {
    const stored = cipher.encrypt('secret!', aad);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 3; i < stored.length; i++) {
      for (const c of alphabet) {
        if (c === stored[i]) continue;
        const altered = stored.slice(0, i) + c + stored.slice(i + 1);
        expect(() => cipher.decrypt(altered, aad)).toThrow(FieldDecryptionError);
      }
    }
  });

  it.each(['', 'v1', ':abc', 'v1:', 'v1:abc', 'v1:!!!!', 'v1:' + 'A'.repeat(20), 'v1:a b'])(
    'refuses the malformed value %j',
    (stored) => {
      expect(() => cipher.decrypt(stored, aad)).toThrow(FieldDecryptionError);
    },
  );

  it('refuses a truncated tag', () => {
    const stored = cipher.encrypt('secret', aad);
    const bytes = Buffer.from(stored.slice(3), 'base64url');
    expect(() => cipher.decrypt(`v1:${bytes.subarray(0, bytes.length - 4).toString('base64url')}`, aad)).toThrow(
      FieldDecryptionError,
    );
  });

  it('refuses an unknown key version', () => {
    const stored = cipher.encrypt('secret', aad);
    expect(() => cipher.decrypt(`v9${stored.slice(2)}`, aad)).toThrow(FieldDecryptionError);
  });

  it('refuses a value encrypted under another key with the same version name', () => {
    const other = createFieldCipher({ keys: { v1: k2 }, current: 'v1' });
    expect(() => cipher.decrypt(other.encrypt('secret', aad), aad)).toThrow(FieldDecryptionError);
  });

  it('rotates: old values still decrypt and are flagged for re-encryption', () => {
    const old = cipher.encrypt('alice@example.com', aad);
    const rotated = createFieldCipher({ keys: { v1: k1, v2: k2 }, current: 'v2' });
    expect(rotated.decrypt(old, aad)).toBe('alice@example.com');
    expect(rotated.needsRotation(old)).toBe(true);
    const fresh = rotated.encrypt('alice@example.com', aad);
    expect(fresh.startsWith('v2:')).toBe(true);
    expect(rotated.needsRotation(fresh)).toBe(false);
    expect(cipher.needsRotation(old)).toBe(false);
    expect(() => cipher.decrypt(fresh, aad)).toThrow(FieldDecryptionError);
    expect(() => rotated.needsRotation('no-version')).toThrow(FieldDecryptionError);
  });

  it('accepts base64 key strings', () => {
    const fromString = createFieldCipher({ keys: { v1: k1.toString('base64') }, current: 'v1' });
    expect(cipher.decrypt(fromString.encrypt('x', aad), aad)).toBe('x');
  });

  it('refuses bad key configuration', () => {
    expect(() => createFieldCipher({ keys: {}, current: 'v1' })).toThrow(FieldKeyError);
    expect(() => createFieldCipher({ keys: { v1: k1 }, current: 'v2' })).toThrow(FieldKeyError);
    expect(() => createFieldCipher({ keys: { v1: randomBytes(16) }, current: 'v1' })).toThrow(FieldKeyError);
    expect(() => createFieldCipher({ keys: { v1: 'not base64!' }, current: 'v1' })).toThrow(FieldKeyError);
    expect(() => createFieldCipher({ keys: { 'v:1': k1 }, current: 'v:1' })).toThrow(FieldKeyError);
    expect(() => createFieldCipher({ keys: { v1: k1 }, current: 'v1', indexKey: randomBytes(31) })).toThrow(
      FieldKeyError,
    );
  });

  it('refuses missing associated data', () => {
    expect(() => cipher.encrypt('x', { table: '', column: 'c', rowId: '1' })).toThrow(TypeError);
    expect(() => cipher.encrypt('x', { table: 't', column: 'c', rowId: '' })).toThrow(TypeError);
    expect(() => cipher.encrypt('x', { table: 't', column: 'c', rowId: 1.5 })).toThrow(TypeError);
  });
});

describe('blindIndex', () => {
  const cipher = createFieldCipher({ keys: { v1: k1 }, current: 'v1' });

  it('is stable and normalises emails by trimming and lower-casing', () => {
    const index = cipher.blindIndex('alice@example.com', 'email');
    expect(index).toMatch(/^[0-9a-f]{64}$/);
    expect(cipher.blindIndex('  Alice@Example.COM ', 'email')).toBe(index);
    expect(cipher.blindIndex('bob@example.com', 'email')).not.toBe(index);
  });

  it('keeps case and spaces for other purposes but unifies Unicode composition', () => {
    expect(cipher.blindIndex('Abc', 'name')).not.toBe(cipher.blindIndex('abc', 'name'));
    expect(cipher.blindIndex('Zoe\u0301', 'name')).toBe(cipher.blindIndex('Zo\u00e9', 'name'));
  });

  it('separates purposes', () => {
    expect(cipher.blindIndex('12345', 'email')).not.toBe(cipher.blindIndex('12345', 'phone'));
  });

  it('survives encryption key rotation when derived from the first key', () => {
    const rotated = createFieldCipher({ keys: { v1: k1, v2: k2 }, current: 'v2' });
    expect(rotated.blindIndex('alice@example.com', 'email')).toBe(cipher.blindIndex('alice@example.com', 'email'));
  });

  it('uses a dedicated index key when given', () => {
    const indexKey = randomBytes(32);
    const a = createFieldCipher({ keys: { v1: k1 }, current: 'v1', indexKey });
    const b = createFieldCipher({ keys: { v2: k2 }, current: 'v2', indexKey: indexKey.toString('base64') });
    expect(a.blindIndex('alice@example.com', 'email')).toBe(b.blindIndex('alice@example.com', 'email'));
    expect(a.blindIndex('alice@example.com', 'email')).not.toBe(cipher.blindIndex('alice@example.com', 'email'));
  });

  it('needs a purpose', () => {
    expect(() => cipher.blindIndex('x', '')).toThrow(TypeError);
  });
});

describe('parseFieldKeys', () => {
  it('parses versions in order and makes the last one current', () => {
    const parsed = parseFieldKeys(`v1:${k1.toString('base64')}, v2:${k2.toString('base64')}`);
    expect(parsed.current).toBe('v2');
    expect(Object.keys(parsed.keys)).toEqual(['v1', 'v2']);
    expect(parsed.keys.v1?.equals(k1)).toBe(true);
    expect(parsed.keys.v2?.equals(k2)).toBe(true);
    const cipher = createFieldCipher(parsed);
    expect(cipher.encrypt('x', aad).startsWith('v2:')).toBe(true);
  });

  it.each([
    '',
    '   ',
    'v1',
    `:${k1.toString('base64')}`,
    `v1:${randomBytes(16).toString('base64')}`,
    `v1:${k1.toString('base64')},v1:${k2.toString('base64')}`,
    `v1:${k1.toString('base64')},`,
    `v1:${k1.toString('base64url')}_`,
    `1:${k1.toString('base64')}`,
  ])('refuses %j', (env) => {
    expect(() => parseFieldKeys(env)).toThrow(FieldKeyError);
  });
});

describe('token helpers', () => {
  it('randomToken returns unpadded base64url of the requested entropy', () => {
    const token = randomToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken(16)).toHaveLength(22);
    expect(randomToken()).not.toBe(token);
    expect(() => randomToken(8)).toThrow(RangeError);
    expect(() => randomToken(1.5 as number)).toThrow(RangeError);
  });

  it('sha256Hex matches the FIPS 180-4 example for "abc"', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('timingSafeEqualString compares strings of any length', () => {
    expect(timingSafeEqualString('token', 'token')).toBe(true);
    expect(timingSafeEqualString('token', 'tokem')).toBe(false);
    expect(timingSafeEqualString('token', 'token-longer')).toBe(false);
    expect(timingSafeEqualString('', '')).toBe(true);
  });
});
