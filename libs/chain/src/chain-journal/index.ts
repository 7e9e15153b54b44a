export * from './chain-recorder';
export * from './journal-file';
export * from './journal-head';
export * from './replay-journal';
