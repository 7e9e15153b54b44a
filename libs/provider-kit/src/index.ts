export * from './provider-definition';
