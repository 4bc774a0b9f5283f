import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateContracts, loadPackageDefinition } from '../src/index';

const generatedDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'generated');

describe('generated contracts', () => {
  it('match the protos (run `pnpm generate` and commit when this fails)', () => {
    const fresh = generateContracts();
    expect(Object.keys(fresh).length).toBeGreaterThan(0);
    for (const [file, source] of Object.entries(fresh)) {
      expect(readFileSync(join(generatedDir, file), 'utf8'), file).toBe(source);
    }
  });

  it('load as gRPC services with int64 as strings', () => {
    const definition = loadPackageDefinition();
    expect(Object.keys(definition)).toContain('fintech.auth.v1.AuthService');
    expect(Object.keys(definition)).toContain('fintech.common.v1.Money');
  });
});
