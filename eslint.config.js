// eslint.config.js: what `scripts/lint.sh` (and `npm run lint`) checks.
// - js/src/**/*.ts (the package's own code): ESLint's and typescript-eslint's
//   recommended rules, type-aware (recommendedTypeChecked: floating promises,
//   misused promises, ...), with the types of js/tsconfig.json; rules that are
//   noise for a Dexie-shaped API are tuned below, with the reason.
// - everything else written in JS (tests, bench, demo, scripts): ESLint's
//   recommended rules, with browser globals for code that runs in a page (or
//   a worker) and Node globals for the rest. tests/types is left to tsc.
// eslint-config-prettier comes last: layout is Prettier's job, not ESLint's.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** Files that run in a page (or a worker): the demo, and the pages tests and benchmarks load. */
const PAGE_FILES = [
  'demo/**/*.js',
  'tests/browser/pages/**/*.{js,jsx}',
  'tests/package/pages/**/*.js',
  'tests/package/vite-app/**/*.js',
  'bench/pages/**/*.js',
];
const WORKER_FILE = 'tests/package/pages/worker.js';
const SHARED_FILE = 'tests/package/workload.js';

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      'build/**',
      'js/dist/**',
      'js/build-tsc/**',
      'deps/**',
      'test-artifacts/**',
      'bench/results/**',
      'tests/package/vite-app/dist/**',
      // Compile-only samples of the public types: tsc checks them (tests/node/types.test.mjs).
      'tests/types/**',
    ],
  },
  {
    files: ['**/*.{js,mjs,jsx}'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module' },
    rules: {
      // `const { dropped, ...rest } = x` is how a test leaves a field out.
      'no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  // Globals: each file gets those of where it runs (flat config merges them, so these sets do not overlap).
  {
    files: ['**/*.{js,mjs}'],
    ignores: [...PAGE_FILES, WORKER_FILE, SHARED_FILE],
    languageOptions: { globals: globals.node },
  },
  {
    // Node scripts that drive Chromium: the callbacks they pass to page.evaluate() run in the page.
    files: ['tests/browser/*.mjs', 'bench/*.mjs'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly' } },
  },
  {
    files: PAGE_FILES,
    ignores: [WORKER_FILE],
    languageOptions: { globals: globals.browser },
  },
  {
    files: [WORKER_FILE],
    languageOptions: { globals: globals.worker },
  },
  {
    // Runs in every place the packed package runs (pages, a worker, Node): only what all of them have.
    files: [SHARED_FILE],
    languageOptions: { globals: globals['shared-node-browser'] },
  },
  {
    files: ['**/*.jsx'],
    languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } },
  },
  {
    files: ['js/src/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // The public types follow Dexie's (Table<T = any, TKey = any>, hooks, where({...: any})):
      // `any` there is the API, not an accident. The no-unsafe-* rules flag what flows from it,
      // from lib.dom (IDBRequest.result is any) and from the wasm module's embind surface.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // `async` without `await` is how a method turns a synchronous throw into a rejection.
      '@typescript-eslint/require-await': 'off',
      // Passing on a caught error (typed unknown) is fine; rejecting with a string is not.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
    },
  },
  {
    // Observable's interop method is declared by an interface and defined on the prototype.
    files: ['js/src/**/observable.ts'],
    rules: { '@typescript-eslint/no-unsafe-declaration-merging': 'off' },
  },
  {
    files: ['js/src/**/react.ts', '**/*.jsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  prettier,
);
