import tseslint from 'typescript-eslint';

// The pipeline's folders, bottom up: a folder imports only from the folders before it
// (docs/architecture.md). Each folder gets a rule naming every folder above it.
const LAYERS = ['core', 'config', 'calendar', 'data', 'analytics', 'regime', 'selection', 'portfolio', 'strategy', 'execution', 'backtest', 'distributed', 'operations', 'dashboard', 'cli', 'bench'];
const layering = LAYERS.slice(0, -1).map((layer, i) => ({
  files: [`src/${layer}/**/*.ts`, `src/${layer}/**/*.tsx`],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [{
        group: LAYERS.slice(i + 1).map((above) => `**/${above}/*`),
        message: `src/${layer}/ sits below ${LAYERS.slice(i + 1).join(', ')}: import only from ${LAYERS.slice(0, i).join(', ') || 'node and packages'} (docs/architecture.md).`,
      }],
    }],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bin/**', '.atlas/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'src/**/*.tsx', 'test/**/*.ts', 'test/**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Unawaited broker and store calls are bugs, not style.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  ...layering,
);
