import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, watch, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';

/**
 * The journal's durable head: the last block the recorder has written and
 * fsynced, published beside the journal (blocks.head.json) only after the
 * fsync. A reader that sees block N there knows a node replaying the journal
 * gets blocks 0…N back. A payment waits for it before it answers SUCCESS.
 *
 * blocks.wanted is the other way round: a writer (the payment service) puts
 * the number of a block it waits for there, and the recorder, which watches
 * the directory, journals at once instead of at its next poll.
 */
export const JournalHead = z.strictObject({
  number: z.number().int().min(0),
  hash: z.string().regex(/^0x[0-9a-f]{64}$/),
});
export type JournalHead = z.infer<typeof JournalHead>;

export const journalHeadPathFor = (journalFile: string) => join(dirname(journalFile), 'blocks.head.json');
export const journalWantedPathFor = (journalFile: string) => join(dirname(journalFile), 'blocks.wanted');

/** Publishes the durable head (atomically: a reader sees the old head or the new one). */
export function writeJournalHead(journalFile: string, head: JournalHead): void {
  const path = journalHeadPathFor(journalFile);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, JSON.stringify(head));
  renameSync(`${path}.tmp`, path);
}

/** The durable head, or undefined when none is published (or it cannot be read right now). */
export function readJournalHead(journalFile: string): JournalHead | undefined {
  try {
    const parsed = JournalHead.safeParse(JSON.parse(readFileSync(journalHeadPathFor(journalFile), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Asks the recorder to journal up to block `number` now. */
export function askForBlock(journalFile: string, number: number): void {
  const path = journalWantedPathFor(journalFile);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, String(number));
}

/** Calls `onWanted` whenever someone asks for a block (askForBlock); returns the function that stops watching. */
export function watchWantedBlocks(journalFile: string, onWanted: () => void): () => void {
  const wanted = basename(journalWantedPathFor(journalFile));
  mkdirSync(dirname(journalFile), { recursive: true });
  const watcher = watch(dirname(journalFile), { persistent: false }, (_event, name) => {
    if (name === null || name === wanted) onWanted();
  });
  // A watcher that fails (the directory went away) leaves the recorder's own polling in charge.
  watcher.on('error', () => watcher.close());
  return () => watcher.close();
}

/**
 * True when the journal's block `blockNumber` holds transaction `txHash`.
 * Reads the journal from its end, as far back as that block: a payment
 * checks the block it was mined in, a few blocks behind the head at most.
 */
export function isJournaled(journalFile: string, blockNumber: number, txHash: string): boolean {
  let fd: number;
  try {
    fd = openSync(journalFile, 'r');
  } catch {
    return false;
  }
  try {
    let end = fstatSync(fd).size;
    let rest = '';
    const chunk = Buffer.alloc(64 * 1024);
    while (end > 0) {
      const length = Math.min(chunk.length, end);
      end -= length;
      readSync(fd, chunk, 0, length, end);
      const lines = (chunk.toString('utf8', 0, length) + rest).split('\n');
      // The first piece may be a line cut by the chunk: kept for the next read unless the file starts here.
      rest = end > 0 ? (lines.shift() ?? '') : '';
      for (const line of lines.reverse()) {
        const block = parseLine(line);
        if (!block || block.number > blockNumber) continue;
        return block.number === blockNumber && block.hashes.includes(txHash.toLowerCase());
      }
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

function parseLine(line: string): { number: number; hashes: string[] } | undefined {
  if (!line.trim()) return undefined;
  try {
    const parsed = JournalLine.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // a torn last line
  }
}

const JournalLine = z.object({ number: z.number().int(), hashes: z.array(z.string()) });
