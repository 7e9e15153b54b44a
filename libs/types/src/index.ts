export * from './errors';
export * from './ids';
export * from './money';
export * from './policy';
