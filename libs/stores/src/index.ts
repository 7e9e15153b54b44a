export * from './database';
export * from './migrations';
export * from './store-errors';
export * from './policy/policy-store';
export type { PolicyTables } from './policy/policy-tables';
export { createPolicyStore } from './policy/sql-policy-store';
export * from './testing/temporary-postgres';
