import nx from '@nx/eslint-plugin';
import reactHooks from 'eslint-plugin-react-hooks';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['libs/chain/src/generated/**', '**/dist', '**/node_modules', '**/.nx', 'data/**', 'tmp/**'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
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
            // Scopes: who may import whom. Every project carries one scope:* tag; a
            // project may use the scopes listed for its own. The type:* rules above
            // still forbid any import of an app, so an app's own scope only ever lets
            // it reach its own code.
            // Shared libs are the bottom layer: they use each other and nothing else.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            // The provider kit is built on the shared libs only.
            { sourceTag: 'scope:provider-kit', onlyDependOnLibsWithTags: ['scope:shared'] },
            // Providers (paid services) are built on the provider kit and the shared libs.
            { sourceTag: 'scope:provider', onlyDependOnLibsWithTags: ['scope:provider', 'scope:provider-kit', 'scope:shared'] },
            // The gateway uses the shared libs (clients, stores, …); its tests stand up
            // providers with the provider kit. It never imports a core service or a provider.
            { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:provider-kit', 'scope:shared'] },
            // Core services talk to each other over HTTP through @nexus/clients, never by import.
            { sourceTag: 'scope:policy', onlyDependOnLibsWithTags: ['scope:policy', 'scope:shared'] },
            { sourceTag: 'scope:payment', onlyDependOnLibsWithTags: ['scope:payment', 'scope:shared'] },
            { sourceTag: 'scope:logger', onlyDependOnLibsWithTags: ['scope:logger', 'scope:shared'] },
            // e2e drives the running stack from outside, and tools (scripts, checks,
            // bench) use the shared libs only.
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:e2e', 'scope:shared'] },
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:tools', 'scope:shared'] },
            // The dashboard runs in a browser: it shares the API's contract (@nexus/types) and nothing else.
            { sourceTag: 'scope:dashboard', onlyDependOnLibsWithTags: ['type:types'] },
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
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['**/*.spec.ts', '**/*.spec.tsx', '**/testing/**', 'apps/e2e/**', 'tools/**'],
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
  {
    files: ['apps/dashboard/**/*.tsx', 'apps/dashboard/**/*.ts'],
    ...reactHooks.configs.flat['recommended-latest'],
  },
];
