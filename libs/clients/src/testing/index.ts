// Test support for @nexus/clients — import from '@nexus/clients/testing', never from production code.
export * from '../grants/testing/test-grant-issuer';
