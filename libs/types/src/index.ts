export * from './errors';
export * from './ids';
export * from './money';
export * from './payment';
export * from './policy';
export * from './logger';
export * from './provider';
