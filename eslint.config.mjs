import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['libs/chain/src/generated/**', '**/dist', '**/node_modules', '**/.nx', 'data/**', 'tmp/**'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:types', 'type:config', 'type:util', 'type:data-access', 'type:feature'],
            },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:types', 'type:config', 'type:util', 'type:data-access'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:types', 'type:util', 'type:data-access'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:types', 'type:config', 'type:util', 'type:data-access'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:types', 'type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:types'] },
            { sourceTag: 'type:config', onlyDependOnLibsWithTags: ['type:types'] },
            { sourceTag: 'type:types', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-ignore': true, 'ts-expect-error': 'allow-with-description' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Test support stays out of production code: the @nexus/<lib>/testing entry points
    // (and any module under a testing/ folder) are for specs, test harnesses, e2e and tools.
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/testing/**', 'apps/e2e/**', 'tools/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nexus/*/testing', '@nexus/*/testing/*', '**/testing', '**/testing/*'],
              message: 'Test support is for specs, testing/ harnesses, apps/e2e and tools only — not for production code.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts'],
    rules: { 'no-console': 'off' },
  },
];
