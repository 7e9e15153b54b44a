// Test support for @nexus/chain — import from '@nexus/chain/testing', never from production code.
export * from './free-port';
export * from './front-runner';
export * from './test-chain';
