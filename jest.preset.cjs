// Shared Jest settings: SWC for speed (type checking is the `typecheck` target),
// Nx's resolver for the @nexus/* path aliases, a Node environment. `jose` ships
// ES modules only: SWC turns it into CommonJS for Jest (Node itself requires it as is).
module.exports = {
  testEnvironment: 'node',
  testMatch: ['**/?(*.)+(spec).ts'],
  resolver: '@nx/jest/plugins/resolver',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
    '/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  clearMocks: true,
  testTimeout: 30_000,
};
