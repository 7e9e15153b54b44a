// Test support for @nexus/provider-kit — import from '@nexus/provider-kit/testing', never from production code.
export * from './echo-provider';
export * from './provider-under-test';
export * from './test-payment-network';
