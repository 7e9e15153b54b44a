import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackRunFile } from '@nexus/types';

export const runFilePath = (dataDir: string) => join(dataDir, 'run', 'stack.json');

/** Writes data/run/stack.json (StackRunFile) atomically. */
export function writeRunFile(dataDir: string, content: StackRunFile): void {
  const path = runFilePath(dataDir);
  mkdirSync(join(dataDir, 'run'), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(content, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

export function removeRunFile(dataDir: string): void {
  rmSync(runFilePath(dataDir), { force: true });
}
