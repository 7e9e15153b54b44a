export { type ChainRecorder, type ChainRecorderOptions, startChainRecorder } from './chain-recorder';
export { appendJournal, JournalBlock, journalEndsCleanly, journalPathFor, readJournal, rewriteJournal } from './journal-file';
export {
  askForBlock,
  isJournaled,
  JournalHead,
  journalHeadPathFor,
  journalWantedPathFor,
  readJournalHead,
  watchWantedBlocks,
  writeJournalHead,
} from './journal-head';
export { replayJournal, type ReplayOptions } from './replay-journal';
export { permit2PlacementPathFor, readPermit2Placement, writePermit2Placement } from './permit2-placement';
