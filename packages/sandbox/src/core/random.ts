import { createHash } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A seeded pseudo-random source: the same seed always yields the same sequence. */
export interface SeededRandom {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** `length` characters of [0-9A-Za-z]. */
  base62(length: number): string;
  /** `length` lowercase hex characters. */
  hex(length: number): string;
  /**
   * A provider-style id such as `cus_4fQ2…`. Each prefix draws from its own stream, so creating a charge never
   * shifts the id the next customer gets: ids depend only on how many objects of that kind came before.
   */
  idFor(prefix: string, length?: number): string;
  /** An independent stream derived from this one's seed and a label. */
  fork(label: string): SeededRandom;
}

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), seeded from the sha256 of the seed. */
function sfc32(seed: string): () => number {
  const digest = createHash('sha256').update(seed).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  const step = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Discard the first outputs: sfc32 mixes its state poorly for the first few rounds.
  for (let i = 0; i < 12; i += 1) step();
  return step;
}

export function createRandom(seed: string): SeededRandom {
  const next = sfc32(seed);
  const idStreams = new Map<string, SeededRandom>();
  const random: SeededRandom = {
    next,
    int(min, max) {
      return min + Math.floor(next() * (max - min + 1));
    },
    pick(items) {
      if (items.length === 0) throw new RangeError('pick needs at least one item');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    base62(length) {
      let out = '';
      for (let i = 0; i < length; i += 1) out += BASE62[Math.floor(next() * 62)];
      return out;
    },
    hex(length) {
      let out = '';
      for (let i = 0; i < length; i += 1) out += Math.floor(next() * 16).toString(16);
      return out;
    },
    idFor(prefix, length = 24) {
      let stream = idStreams.get(prefix);
      if (!stream) {
        stream = createRandom(`${seed}\u0000id:${prefix}`);
        idStreams.set(prefix, stream);
      }
      return `${prefix}_${stream.base62(length)}`;
    },
    fork(label) {
      return createRandom(`${seed}\u0000${label}`);
    },
  };
  return random;
}
