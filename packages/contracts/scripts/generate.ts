import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateContracts } from '../src/codegen';

/** Writes packages/contracts/src/generated/** from proto/. Deterministic: CI checks the output is committed as is. */
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'generated');
rmSync(outDir, { recursive: true, force: true });
for (const [file, source] of Object.entries(generateContracts())) {
  const path = join(outDir, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, source);
}
console.log(`contracts: generated ${readdirSync(outDir, { recursive: true }).length} entries in ${outDir}`);
