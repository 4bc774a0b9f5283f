import { createHash } from 'node:crypto';

/**
 * A small deterministic generator: block n is sha256(`${seed}:${n}`) and values are read from it 4 bytes at a time.
 * Same seed, same sequence, on every machine and Node version (no Math.random, no float transcendental functions).
 */
export class SeededRandom {
  private counter = 0;
  private block: Buffer = Buffer.alloc(0);
  private offset = 0;

  constructor(private readonly seed: string) {}

  uint32(): number {
    if (this.offset + 4 > this.block.length) {
      this.block = createHash('sha256').update(`${this.seed}:${this.counter}`).digest();
      this.counter += 1;
      this.offset = 0;
    }
    const value = this.block.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.uint32() / 0x1_0000_0000;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** Roughly normal, mean 0 and standard deviation 1 (Irwin–Hall with 3 terms, rescaled). */
  gaussian(): number {
    return (this.float() + this.float() + this.float() - 1.5) * 2;
  }

  /** An RFC 4122 version-4 shaped uuid. */
  uuid(): string {
    const bytes = Buffer.alloc(16);
    for (let i = 0; i < 16; i += 4) bytes.writeUInt32BE(this.uint32(), i);
    return formatUuid(bytes);
  }
}

/** A stable uuid for a name, so a given seed always gives an entity the same id. */
export function uuidFor(...parts: string[]): string {
  return formatUuid(createHash('sha256').update(parts.join(':')).digest().subarray(0, 16));
}

/** A stable value in [0, 1) for a name. */
export function unitFor(...parts: string[]): number {
  return createHash('sha256').update(parts.join(':')).digest().readUInt32BE(0) / 0x1_0000_0000;
}

function formatUuid(source: Buffer): string {
  const bytes = Buffer.from(source);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
