// `npm run lint`: correctness rules only (formatting is left to review): typescript-eslint's recommended
// set, unused code, and import-x's no-cycle on value imports (test/imports.test.ts checks the layers too).

import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-*/**', 'docs/api/**', 'node_modules/**', 'output/**', 'bench/results/**', 'test/.docblocks/**', 'scratch/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    plugins: { 'import-x': importX },
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        console: 'readonly', process: 'readonly', globalThis: 'readonly', URL: 'readonly', TextEncoder: 'readonly',
        TextDecoder: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly',
        performance: 'readonly', Buffer: 'readonly', SharedArrayBuffer: 'readonly', Atomics: 'readonly',
        MessageChannel: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', document: 'readonly',
        window: 'readonly', self: 'readonly', navigator: 'readonly', Worker: 'readonly', Blob: 'readonly',
        fetch: 'readonly', requestAnimationFrame: 'readonly', location: 'readonly', HTMLElement: 'readonly',
        __dirname: 'readonly', require: 'readonly', module: 'writable', btoa: 'readonly', atob: 'readonly',
        URLSearchParams: 'readonly', Event: 'readonly', ImageData: 'readonly',
      },
    },
    // sources import './x.js' for './x.ts' (NodeNext style): resolve .js to the .ts beside it
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs'], extensionAlias: { '.js': ['.ts', '.js'] } })],
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      // unused code: variables, parameters and imports; a leading underscore marks one kept on purpose
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-unused-private-class-members': 'error',
      'no-unused-labels': 'error',
      'import-x/no-self-import': 'error',
      // correctness, not style
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'use the seeded tg Generator (determinism)' }],
      // the library's own conventions these would fight: `any` at JSON boundaries in tests, `!` after checks
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/no-this-alias': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      // re-throwing with a clearer message is deliberate here (the message names the op and the fix)
      'preserve-caught-error': 'off',
    },
  },
  {
    // value-import cycles in the library (type-only imports are erased and allowed); test/imports.test.ts checks the same
    files: ['src/**/*.ts'],
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true, allowUnsafeDynamicCyclicDependency: false }] },
  },
);
