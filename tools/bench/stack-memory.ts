import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchStack } from './bench-stack';
import { residentMb } from './memory';
import type { MemoryRow } from './report';

/** How long a freshly started stack is left alone before its memory counts as "at rest". */
const SETTLE_MS = 3_000;

/** Resident memory of every service of `stack` now, after letting it settle. */
export async function stackMemoryAtRest(stack: BenchStack): Promise<MemoryRow[]> {
  await sleep(SETTLE_MS);
  return stack
    .services()
    .map(({ project, pid }) => ({ stack: stack.mode, project, pid, restMb: residentMb(pid) ?? null, afterLoadMb: null }));
}

/** `atRest` with each service's resident memory now (a service started again since reads as null). */
export function withMemoryAfterLoad(atRest: readonly MemoryRow[], stack: BenchStack): MemoryRow[] {
  const now = new Map(stack.services().map(({ project, pid }) => [project, pid]));
  return atRest.map((row) => ({ ...row, afterLoadMb: now.get(row.project) === row.pid ? (residentMb(row.pid) ?? null) : null }));
}
