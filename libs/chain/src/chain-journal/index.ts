export * from './chain-recorder';
export * from './journal-file';
export * from './replay-journal';
