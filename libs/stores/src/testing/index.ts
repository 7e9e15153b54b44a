// Test support for @nexus/stores — import from '@nexus/stores/testing', never from production code.
export { createTemporaryPostgres, type TemporaryPostgres, testPostgresUrl } from './temporary-postgres';
