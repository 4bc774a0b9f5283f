import { pathToFileURL } from 'node:url';

/** Whether the module at `url` is the script node was started with (not imported by bench/run.ts). */
export function isMain(url: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(entry).href === url;
}

/** A number from the environment (for shorter or longer runs), else the default. */
export function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  const values = raw
    .split(',')
    .map(Number)
    .filter((n) => Number.isFinite(n) && n > 0);
  return values.length > 0 ? values : fallback;
}
