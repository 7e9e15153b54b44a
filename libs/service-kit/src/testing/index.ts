// Test support for @nexus/service-kit — import from '@nexus/service-kit/testing', never from production code.
export * from './loopback-server';
export * from './service-process';
export * from './stack-launcher';
export * from './test-callers';
