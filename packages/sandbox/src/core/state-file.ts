import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Emulator } from './types.js';

const VERSION = 1;

interface StateFileContents {
  version: number;
  seed: string;
  emulators: Record<string, unknown>;
}

/**
 * The sandbox's state on disk: one JSON file with a snapshot of each emulator that takes snapshots. Writes are
 * coalesced (a burst of requests costs one write) and atomic (a temporary file renamed over the old one), so a
 * sandbox killed at any moment leaves either the previous state or the new one, never half a file.
 */
export function createStateFile(path: string, seed: string, emulators: readonly Emulator[]) {
  const persistent = emulators.filter((emulator) => emulator.snapshot && emulator.restore);
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let dirty = false;

  const write = async () => {
    const contents: StateFileContents = {
      version: VERSION,
      seed,
      emulators: Object.fromEntries(persistent.map((emulator) => [emulator.name, emulator.snapshot!()])),
    };
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(contents), { mode: 0o600 });
    await rename(temporary, path);
  };

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!dirty) return writing;
    dirty = false;
    writing = writing.then(write, write);
    return writing;
  };

  return {
    /** Restores each emulator from the file, if there is one. A file of another seed or version is refused. */
    load(): void {
      mkdirSync(dirname(path), { recursive: true });
      if (!existsSync(path)) return;
      const contents = JSON.parse(readFileSync(path, 'utf8')) as StateFileContents;
      if (contents.version !== VERSION) throw new Error(`${path}: unknown sandbox state version ${contents.version}`);
      if (contents.seed !== seed) {
        throw new Error(`${path} holds the state of seed "${contents.seed}", not "${seed}"; remove it to start over`);
      }
      for (const emulator of persistent) {
        const snapshot = contents.emulators[emulator.name];
        if (snapshot !== undefined) emulator.restore!(snapshot);
      }
    },
    /** Marks the state changed; it is written within 100 ms. */
    changed(): void {
      dirty = true;
      timer ??= setTimeout(() => void flush().catch(() => undefined), 100);
    },
    /** Writes pending changes now. */
    flush,
  };
}
