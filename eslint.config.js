// Lint: the recommended rules, type-checked, plus what a daemon must not get wrong:
// promises nobody awaits or handles, promises passed where a plain callback is expected,
// switches that miss a case, and errors swallowed without a word.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import noSilentCatch from './eslint-rules/no-silent-catch.js';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench-out/', 'comfyui/', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { arena: { rules: { 'no-silent-catch': noSilentCatch } } },
    rules: {
      // ignoreVoid: false: a fire-and-forget `void p` must handle its failure too (`void p.catch(log)`).
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      'arena/no-silent-catch': 'error',
    },
  },
  // The plain-JS config files sit outside tsconfig.json, so the project service cannot type them.
  {
    files: ['eslint.config.js', 'eslint-rules/**', 'ava.config.js', 'test/tiers/*.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
