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
  /** Where the stream (and its id streams) stand, so a restored sandbox goes on where it stopped (no id reused). */
  snapshot(): RandomState;
  /** Continue from a snapshot of a stream with the same seed. */
  restore(state: RandomState): void;
}

/** The position of a {@link SeededRandom}: the generator's four words and those of each id stream. */
export interface RandomState {
  words: [number, number, number, number];
  ids: Record<string, RandomState>;
}

interface Generator {
  next(): number;
  words: [number, number, number, number];
}

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), seeded from the sha256 of the seed. */
function sfc32(seed: string): Generator {
  const digest = createHash('sha256').update(seed).digest();
  const generator: Generator = {
    words: [digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8), digest.readUInt32LE(12)],
    next() {
      let [a, b, c, d] = generator.words;
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      generator.words = [a, b, c, d];
      return (t >>> 0) / 4294967296;
    },
  };
  // Discard the first outputs: sfc32 mixes its state poorly for the first few rounds.
  for (let i = 0; i < 12; i += 1) generator.next();
  return generator;
}

export function createRandom(seed: string): SeededRandom {
  const generator = sfc32(seed);
  const next = () => generator.next();
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
    snapshot() {
      const ids: Record<string, RandomState> = {};
      for (const [prefix, stream] of idStreams) ids[prefix] = stream.snapshot();
      return { words: [...generator.words], ids };
    },
    restore(state) {
      generator.words = [...state.words];
      idStreams.clear();
      for (const [prefix, streamState] of Object.entries(state.ids)) {
        const stream = createRandom(`${seed}\u0000id:${prefix}`);
        stream.restore(streamState);
        idStreams.set(prefix, stream);
      }
    },
  };
  return random;
}
