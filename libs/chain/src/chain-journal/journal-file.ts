import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * One mined block of the local chain as the journal keeps it: enough to mine
 * the same block again on a fresh node (its signed transactions, in order,
 * with the same timestamp and base fee).
 */
export const JournalBlock = z.strictObject({
  number: z.number().int().min(0),
  hash: z.string().regex(/^0x[0-9a-f]{64}$/),
  timestamp: z.number().int().min(0),
  /** decimal wei; absent before London (never on our node, kept optional for safety) */
  baseFeePerGas: z.string().regex(/^\d+$/).optional(),
  /** signed, serialized transactions */
  transactions: z.array(z.string().regex(/^0x[0-9a-f]+$/)),
  /** their hashes, to check a replay mined the same ones */
  hashes: z.array(z.string().regex(/^0x[0-9a-f]{64}$/)),
});
export type JournalBlock = z.infer<typeof JournalBlock>;

/** Where a journal is kept: next to the deployment file it belongs to. */
export const journalPathFor = (deploymentFile: string) => `${dirname(deploymentFile)}/blocks.jsonl`;

/**
 * Reads a journal (one JSON block per line, block 0 first). A last line cut
 * short by a crash is dropped; any other bad line is an error naming it.
 */
export function readJournal(path: string): JournalBlock[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks: JournalBlock[] = [];
  lines.forEach((line, index) => {
    if (!line.trim()) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      if (index === lines.length - 1) return; // a torn final write: the block is read again from the node
      throw new Error(`${path} line ${index + 1} is not JSON`, { cause: error });
    }
    const block = JournalBlock.safeParse(parsed);
    if (!block.success) throw new Error(`${path} line ${index + 1} is not a journal block: ${block.error.issues[0]?.message ?? ''}`);
    const expected = blocks.length;
    if (block.data.number !== expected) throw new Error(`${path} line ${index + 1} holds block ${block.data.number}, expected ${expected}`);
    blocks.push(block.data);
  });
  return blocks;
}

/** Appends blocks and flushes them to disk before returning. */
export function appendJournal(path: string, blocks: readonly JournalBlock[]): void {
  if (blocks.length === 0) return;
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, blocks.map((block) => `${JSON.stringify(block)}\n`).join(''));
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Rewrites the journal with exactly `blocks` (drops a torn last line before appending after it). */
export function rewriteJournal(path: string, blocks: readonly JournalBlock[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, blocks.map((block) => `${JSON.stringify(block)}\n`).join(''));
  renameSync(temporary, path);
}

/** True when the file's last line is complete (or there is no file). */
export function journalEndsCleanly(path: string): boolean {
  if (!existsSync(path)) return true;
  const text = readFileSync(path, 'utf8');
  return text === '' || text.endsWith('\n');
}
