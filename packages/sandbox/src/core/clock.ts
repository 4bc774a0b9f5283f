import type { SandboxClock } from './types.js';

/**
 * A clock that follows real time until a test fixes or moves it.
 *
 * `advance` on a running clock shifts it forward and lets it keep running, so a sandbox can be moved past a billing
 * period without freezing every other timestamp.
 */
export function createClock(start?: Date): SandboxClock {
  let frozenAt: number | null = start ? start.getTime() : null;
  let offsetMs = 0;
  return {
    now: () => new Date(frozenAt ?? Date.now() + offsetMs),
    set(at: Date) {
      if (Number.isNaN(at.getTime())) throw new RangeError('clock.set needs a valid date');
      frozenAt = at.getTime();
      offsetMs = 0;
    },
    advance(ms: number) {
      if (!Number.isFinite(ms)) throw new RangeError('clock.advance needs a finite number of milliseconds');
      if (frozenAt === null) offsetMs += ms;
      else frozenAt += ms;
    },
    release() {
      frozenAt = null;
      offsetMs = 0;
    },
  };
}
