import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;

/**
 * Returns a new UUIDv7 (RFC 9562 §5.7): 48 bits of Unix time in milliseconds, the version, 12 bits of counter, the
 * variant and 62 random bits. Ids sort by creation time, so outbox rows and stream messages keep their order in
 * B-tree indexes and logs.
 *
 * Within one millisecond the 12-bit `rand_a` field is a counter seeded at random (RFC 9562 §6.2, method 1), so ids
 * from one process are strictly increasing; if the counter overflows, the timestamp is advanced by one millisecond,
 * and a clock that steps back is ignored until it catches up (both as §6.2 allows).
 */
export function newEventId(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    // Seeding with 11 bits leaves at least 2048 increments before the counter overflows.
    counter = randomBytes(2).readUInt16BE(0) & 0x7ff;
  } else {
    counter += 1;
    if (counter > 0xfff) {
      lastMs += 1;
      counter = randomBytes(2).readUInt16BE(0) & 0x7ff;
    }
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A UUID of version 7 in its canonical lowercase form. */
export const UUID_V7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The creation time carried by a UUIDv7 (its first 48 bits). */
export function eventIdTime(id: string): Date {
  if (!UUID_V7_PATTERN.test(id)) throw new Error(`Not a UUIDv7: ${JSON.stringify(id)}`);
  return new Date(parseInt(id.slice(0, 8) + id.slice(9, 13), 16));
}
