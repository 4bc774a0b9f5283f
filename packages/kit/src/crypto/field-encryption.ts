import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption of individual database columns (PII) with AES-256-GCM.
 *
 * Stored form: `<version>:<base64url(iv || ciphertext || tag)>`. The version names the key, so keys can be rotated
 * without rewriting every row at once; the table, column and row id are bound as associated data, so a ciphertext
 * copied into another row or column fails to decrypt instead of revealing someone else's data there.
 */

/** Where a field value lives; bound to its ciphertext as GCM associated data. */
export type FieldAad = { table: string; column: string; rowId: string | number | bigint };

/** Key material for one version: 32 raw bytes, or those bytes base64-encoded. */
export type FieldKeyInput = Buffer | Uint8Array | string;

/** Options of {@link createFieldCipher}. */
export type FieldCipherOptions = {
  /** Key material by version name (letters first, then letters, digits, '_' or '-', e.g. `v1`). */
  keys: Record<string, FieldKeyInput>;
  /** The version new values are encrypted with. */
  current: string;
  /**
   * Key material for blind indexes. Indexes are looked up by recomputing them, so their key must outlive
   * encryption-key rotation. When omitted, the first version in `keys` (the oldest, by insertion order) is used,
   * and that version must then stay in `keys` for as long as its indexes are stored, or every index must be
   * recomputed when it is removed. Giving a dedicated `indexKey` avoids that coupling.
   */
  indexKey?: FieldKeyInput;
};

/** A field cipher bound to a key set; see {@link createFieldCipher}. */
export type FieldCipher = {
  /** Encrypts `plaintext` with the current key, bound to `aad`. Each call uses a fresh random IV. */
  encrypt(plaintext: string, aad: FieldAad): string;
  /** Decrypts a value produced by `encrypt` for the same `aad`; anything else throws {@link FieldDecryptionError}. */
  decrypt(ciphertext: string, aad: FieldAad): string;
  /** True when the value was encrypted under a version other than the current one and should be re-encrypted. */
  needsRotation(ciphertext: string): boolean;
  /** A deterministic keyed digest of `value` for equality lookups; see {@link createFieldCipher}. */
  blindIndex(value: string, purpose: string): string;
  /** The version new values are encrypted with. */
  readonly currentVersion: string;
};

/** A stored value could not be decrypted: malformed, unknown key version, wrong row/column, or tampered with. */
export class FieldDecryptionError extends Error {
  override readonly name = 'FieldDecryptionError';
}

/** The key configuration is unusable (wrong length, bad encoding, unknown current version, …). */
export class FieldKeyError extends Error {
  override readonly name = 'FieldKeyError';
}

const KEY_BYTES = 32;
// NIST SP 800-38D §5.2.1.1 and §8.2: a 96-bit IV is the recommended length (used directly as the counter block
// without GHASH), and with random IVs at most 2^32 encryptions may be made under one key (§8.3), a further reason
// to rotate keys.
const IV_BYTES = 12;
// NIST SP 800-38D §5.2.1.2: the full 128-bit tag; shorter tags weaken forgery resistance. Node is told the length
// explicitly so a truncated tag cannot be accepted.
const TAG_BYTES = 16;
// A leading letter keeps version names from looking like array indices, which JavaScript enumerates before other
// keys; insertion order of `keys` then really is the order the versions were added.
const VERSION = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const AAD_DOMAIN = 'fintech/field-encryption/v1';

function decodeKey(input: FieldKeyInput, label: string): Buffer {
  let key: Buffer;
  if (typeof input === 'string') {
    // Buffer.from(…, 'base64') silently skips characters it does not know; check the encoding first so a
    // mistyped key is reported instead of becoming a different key.
    if (!BASE64.test(input)) throw new FieldKeyError(`${label}: key is not valid base64`);
    key = Buffer.from(input, 'base64');
  } else if (input instanceof Uint8Array) {
    key = Buffer.from(input);
  } else {
    throw new FieldKeyError(`${label}: key must be a Buffer or a base64 string`);
  }
  // AES-256 takes exactly a 256-bit key (FIPS 197).
  if (key.length !== KEY_BYTES) {
    throw new FieldKeyError(`${label}: key must be ${KEY_BYTES} bytes, got ${key.length}`);
  }
  return key;
}

function checkVersion(version: string): void {
  // The version is written before the first ':' of the stored value, so it must not contain one.
  if (!VERSION.test(version)) {
    throw new FieldKeyError(`key version ${JSON.stringify(version)} must match ${VERSION.source}`);
  }
}

function lengthPrefixed(part: string): Buffer {
  const bytes = Buffer.from(part, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/**
 * Canonical associated data: a domain label, then table, column and row id, each prefixed with its byte length,
 * so that no two different (table, column, rowId) triples encode alike, e.g. ('a.b', 'c') and ('a', 'b.c').
 */
function encodeAad(aad: FieldAad): Buffer {
  const { table, column, rowId } = aad ?? ({} as FieldAad);
  if (typeof table !== 'string' || typeof column !== 'string' || table === '' || column === '') {
    throw new TypeError('field encryption needs a non-empty table and column as associated data');
  }
  const row =
    typeof rowId === 'string' || typeof rowId === 'bigint' || Number.isSafeInteger(rowId) ? String(rowId) : '';
  if (row === '') throw new TypeError('field encryption needs a row id (string, safe integer or bigint)');
  return Buffer.concat([
    lengthPrefixed(AAD_DOMAIN),
    lengthPrefixed(table),
    lengthPrefixed(column),
    lengthPrefixed(row),
  ]);
}

function splitStored(ciphertext: string): { version: string; payload: string } {
  if (typeof ciphertext !== 'string') throw new FieldDecryptionError('encrypted field is not a string');
  const colon = ciphertext.indexOf(':');
  if (colon <= 0) throw new FieldDecryptionError('encrypted field has no key version');
  return { version: ciphertext.slice(0, colon), payload: ciphertext.slice(colon + 1) };
}

/**
 * Normalises a value before blind indexing so that values a user considers equal index alike. Every purpose is
 * put in Unicode NFC (so a precomposed and a decomposed 'é' match). For `email`, the value is also trimmed and
 * lower-cased: RFC 5321 §2.4 lets the local part be case-sensitive, but no mainstream provider treats it so, and
 * users type their address in varying case.
 */
function normaliseForIndex(value: string, purpose: string): string {
  const nfc = value.normalize('NFC');
  return purpose === 'email' ? nfc.trim().toLowerCase() : nfc;
}

/**
 * Creates a field cipher over a versioned key set.
 *
 * - `encrypt`: AES-256-GCM (NIST SP 800-38D) under the `current` key, with a 96-bit random IV and a 128-bit tag,
 *   the table, column and row id as associated data. Result: `<version>:<base64url(iv || ciphertext || tag)>`.
 * - `decrypt`: picks the key by the stored version. An unknown version, a different table/column/row, a malformed
 *   value or any altered bit throws {@link FieldDecryptionError}; GCM's tag check means no garbage is returned.
 * - `needsRotation`: the stored version differs from `current`; decrypt and encrypt again to migrate the row.
 *   Throws {@link FieldDecryptionError} when the value carries no version at all.
 * - `blindIndex(value, purpose)`: hex HMAC-SHA256 of the normalised value, keyed by a subkey derived with
 *   HKDF-SHA256 (RFC 5869; info `blind-index:<purpose>`) from `indexKey`, or from the first key version when no
 *   `indexKey` is given. A per-purpose subkey keeps an email's index unrelated to the same string's index as, say,
 *   a phone number. Blind indexes are deterministic by design, so they reveal which rows share a value; use them
 *   only for columns that need equality lookups. Normalisation: NFC for every purpose; `email` also trims and
 *   lower-cases.
 *
 * @throws {FieldKeyError} when a key is not 32 bytes, a version name is invalid, or `current` is not in `keys`
 */
export function createFieldCipher(options: FieldCipherOptions): FieldCipher {
  const entries = Object.entries(options.keys ?? {});
  if (entries.length === 0) throw new FieldKeyError('at least one field encryption key is required');
  const keys = new Map<string, Buffer>();
  for (const [version, input] of entries) {
    checkVersion(version);
    keys.set(version, decodeKey(input, version));
  }
  const current = options.current;
  const currentKey = keys.get(current);
  if (currentKey === undefined) {
    throw new FieldKeyError(`current key version ${JSON.stringify(current)} is not among the keys`);
  }
  const indexMaterial =
    options.indexKey === undefined
      ? (keys.get(entries[0]?.[0] ?? '') as Buffer)
      : decodeKey(options.indexKey, 'indexKey');
  const indexSubkeys = new Map<string, Buffer>();

  function indexSubkey(purpose: string): Buffer {
    let subkey = indexSubkeys.get(purpose);
    if (subkey === undefined) {
      subkey = Buffer.from(hkdfSync('sha256', indexMaterial, Buffer.alloc(0), `blind-index:${purpose}`, 32));
      indexSubkeys.set(purpose, subkey);
    }
    return subkey;
  }

  return {
    currentVersion: current,

    encrypt(plaintext, aad) {
      if (typeof plaintext !== 'string') throw new TypeError('field encryption takes a string plaintext');
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(encodeAad(aad));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const payload = Buffer.concat([iv, body, cipher.getAuthTag()]);
      return `${current}:${payload.toString('base64url')}`;
    },

    decrypt(ciphertext, aad) {
      const associated = encodeAad(aad);
      const { version, payload } = splitStored(ciphertext);
      const key = keys.get(version);
      if (key === undefined)
        throw new FieldDecryptionError(`unknown field encryption key version ${JSON.stringify(version)}`);
      if (!BASE64URL.test(payload)) throw new FieldDecryptionError('encrypted field is not base64url');
      const bytes = Buffer.from(payload, 'base64url');
      // Two strings can decode to the same bytes when the last character's unused bits differ; insist on the
      // canonical encoding so every altered character is detected, not only those that change a byte.
      if (bytes.toString('base64url') !== payload)
        throw new FieldDecryptionError('encrypted field is not canonical base64url');
      if (bytes.length < IV_BYTES + TAG_BYTES) throw new FieldDecryptionError('encrypted field is too short');
      const iv = bytes.subarray(0, IV_BYTES);
      const tag = bytes.subarray(bytes.length - TAG_BYTES);
      const body = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(associated);
        decipher.setAuthTag(tag);
        const plain = Buffer.concat([decipher.update(body), decipher.final()]);
        return plain.toString('utf8');
      } catch {
        // The cause is deliberately not distinguished: telling a wrong row apart from tampering helps only an attacker.
        throw new FieldDecryptionError('encrypted field failed authentication');
      }
    },

    needsRotation(ciphertext) {
      return splitStored(ciphertext).version !== current;
    },

    blindIndex(value, purpose) {
      if (typeof value !== 'string') throw new TypeError('blind index takes a string value');
      if (typeof purpose !== 'string' || purpose === '') throw new TypeError('blind index needs a purpose');
      return createHmac('sha256', indexSubkey(purpose)).update(normaliseForIndex(value, purpose), 'utf8').digest('hex');
    },
  };
}

/**
 * Parses `FIELD_ENCRYPTION_KEYS`, a comma-separated list of `<version>:<base64 32-byte key>` entries, oldest first.
 * The last entry is the current key; the earlier ones stay only to decrypt values not yet rotated. Whitespace
 * around entries is ignored. Example: `v1:<base64>,v2:<base64>` → `{ keys: { v1, v2 }, current: 'v2' }`.
 *
 * @throws {FieldKeyError} on an empty list, a malformed entry, a duplicate version or a key that is not 32 bytes
 */
export function parseFieldKeys(env: string): { keys: Record<string, Buffer>; current: string } {
  if (typeof env !== 'string' || env.trim() === '') throw new FieldKeyError('FIELD_ENCRYPTION_KEYS is empty');
  const keys: Record<string, Buffer> = {};
  let current = '';
  for (const raw of env.split(',')) {
    const entry = raw.trim();
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new FieldKeyError('FIELD_ENCRYPTION_KEYS entries must look like <version>:<base64 key>');
    const version = entry.slice(0, colon);
    checkVersion(version);
    if (Object.hasOwn(keys, version)) throw new FieldKeyError(`FIELD_ENCRYPTION_KEYS repeats version ${version}`);
    keys[version] = decodeKey(entry.slice(colon + 1), version);
    current = version;
  }
  return { keys, current };
}
