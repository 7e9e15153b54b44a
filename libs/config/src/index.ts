export * from './chain-env';
export * from './config-error';
export { serviceEnvName } from './env-overrides';
export * from './load-config';
export * from './schemas';
export * from './service-env';
export * from './price-feed';
export * from './signing-keys';
export * from './timeout-budget';
