// Lint, including the layer rules of the architecture (see docs/architecture.md, "Layout"):
//   shared   → nothing of ours, no Node built-ins, no electron (the browser renderer imports it)
//   core, agent, hub → shared and core; never electron, never the Electron layers
//   main     → core and shared (and electron)
//   preload  → shared (and electron's renderer-side API)
//   renderer → shared only; no Node, no electron
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'stream', 'events', 'url', 'worker_threads'];
const electron = { name: 'electron', message: 'Only src/main and src/preload may import electron: the core runs in plain Node.' };
const pattern = (group, message) => ({ group, message });
// no-restricted-imports sees only static imports: import('electron') and require('electron')
// would slip past it, so they are refused by syntax too.
const noDynamicElectron = [
  { selector: "ImportExpression[source.value=/^electron(\\/|$)/]", message: electron.message },
  { selector: "CallExpression[callee.name='require'][arguments.0.value=/^electron(\\/|$)/]", message: electron.message },
];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'coverage/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electron],
        patterns: [
          pattern(['../core/*', '../agent/*', '../hub/*', '../main/*', '../preload/*', '../renderer/*', '../../*'], 'src/shared imports nothing of ours: it is the runtime-neutral contract.'),
          pattern(nodeBuiltins, 'src/shared runs in the browser too: no Node built-ins.'),
        ],
      }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/agent/**/*.ts', 'src/hub/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electron],
        patterns: [
          pattern(['electron/*', '**/main/*', '**/preload/*', '**/renderer/*'], 'The core, agent and hub run in plain Node: no Electron layers.'),
        ],
      }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electron],
        patterns: [
          pattern(['electron/*', '**/main/*', '**/preload/*', '**/renderer/*'], 'The core runs in plain Node: no Electron layers.'),
          pattern(['**/agent/*', '**/hub/*'], 'The core is a library: the agent and hub build on it, not the other way round.'),
        ],
      }],
    },
  },
  {
    files: ['src/shared/**/*.ts', 'src/core/**/*.ts', 'src/agent/**/*.ts', 'src/hub/**/*.ts', 'src/renderer/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...noDynamicElectron] },
  },
  {
    files: ['src/renderer/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electron],
        patterns: [
          pattern(['**/core/*', '**/agent/*', '**/hub/*', '**/main/*', '**/preload/*'], 'The renderer talks to the rest only through the shared API contract.'),
          pattern(nodeBuiltins, 'The renderer is a web page: no Node built-ins.'),
        ],
      }],
    },
  },
  {
    files: ['src/main/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [pattern(['**/agent/*', '**/hub/*', '**/renderer/*', '**/preload/*'], 'The main process builds on core and shared; the pages and the preload reach it over IPC only.')],
      }],
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [pattern(['**/core/*', '**/agent/*', '**/hub/*', '**/main/*', '**/renderer/*'], 'The preload exposes the shared contract only.')],
      }],
    },
  },
  // CommonJS by necessity: electron-builder's afterPack hook, and the installer's PATH script
  // (run by the app's runtime from resources/bin, beside no package.json that says "module").
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
