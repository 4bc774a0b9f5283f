import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository's `proto/` folder, the include root of every import. */
export const PROTO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'proto');

/** Every `.proto` file of the fleet, relative to PROTO_ROOT with forward slashes, in a stable order. */
export function listProtoFiles(root: string = PROTO_ROOT): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.proto')) found.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return found;
}
