import { readdirSync } from 'node:fs';
import { URL, fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Services talk over gRPC or events, never by importing each other; the kit and the gateway serve every service and
 * know none (docs/decisions/020-define-service.md). A service, the kit and the gateway may import only the shared
 * packages; only packages/testing (the fleet fixture), test/e2e, bench and scripts assemble services.
 */
const SHARED_PACKAGES = ['kit', 'contracts', 'testing', 'sandbox'];
const SERVICES = readdirSync(fileURLToPath(new URL('./services', import.meta.url)), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const noServiceImports = (allowed, message, services = SERVICES) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        // By package name, by a path through services/, or by a relative path into another service's src/.
        { regex: `^@fintech/(?!(${allowed.join('|')})$)`, message },
        { regex: '(^|/)services/', message },
        ...(services.length > 0 ? [{ regex: `(^|/)(${services.join('|')})/src(/|$)`, message }] : []),
      ],
    },
  ],
});

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/generated/**', '**/dist/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  ...SERVICES.map((name) => ({
    files: [`services/${name}/**/*.ts`],
    rules: noServiceImports(
      SHARED_PACKAGES,
      'a service imports only shared packages; call another service over gRPC',
      SERVICES.filter((other) => other !== name),
    ),
  })),
  {
    files: ['gateway/**/*.ts'],
    rules: noServiceImports(SHARED_PACKAGES, 'the gateway knows services only through their protos and addresses'),
  },
  {
    files: ['packages/kit/**/*.ts', 'packages/contracts/**/*.ts'],
    rules: noServiceImports(['contracts'], 'the kit serves every service and imports none of them'),
  },
);
