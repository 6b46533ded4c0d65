// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import { layering } from './scripts/lint/layering.js';

// Workflows run in Temporal's deterministic sandbox: no Node built-ins, no I/O clients, no activity/client/worker
// SDKs. Types from them are fine (erased at build time).
const workflowForbiddenModules = [
  ...builtinModules.filter((name) => !name.startsWith('_')),
  'pg',
  'drizzle-orm',
  '@kubernetes/client-node',
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/worker',
];
const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export default tseslint.config(
  { ignores: ['node_modules/', '.run/', 'dist/', 'deploy/local-stack/kube-wrapper/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { haven: layering },
    rules: { 'haven/imports-go-down': 'error' },
  },
  {
    // Type-aware rules, TypeScript sources only (every .ts file is in tsconfig.json, the console's in its own).
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // Workflows and what they may import (the domain, the contracts, the Node-free parts of lib/common).
    files: ['workflows/**/*.ts', 'lib/domain/**/*.ts', 'proto/**/*.ts', 'lib/common/enums.ts', 'lib/common/label-selector.ts', 'lib/common/temporal/names.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(node:.*|@aws-sdk/.*|(${workflowForbiddenModules.map(escapeRegex).join('|')})(/.*)?)$`,
              allowTypeImports: true,
              message:
                'Workflows are deterministic sandbox code: no Node built-ins or I/O modules (import types only; do the work in an activity).',
            },
          ],
        },
      ],
    },
  },
);
