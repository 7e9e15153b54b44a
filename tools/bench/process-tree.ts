import { readFileSync, readdirSync } from 'node:fs';
import type { Watched } from './cpu-usage';

/** The child processes of `pid` (Linux: /proc/<pid>/task/<tid>/children); none when it is gone or off Linux. */
export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** The command line of `pid`, its arguments joined by spaces; '' when it is gone. */
export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

export interface ProcessTreeLookup {
  children(pid: number): readonly number[];
  command(pid: number): string;
}

const PROC: ProcessTreeLookup = { children: childrenOf, command: commandOf };

/**
 * Every process of the `npm start` tree rooted at `launcher`, the launcher
 * included, each named for the CPU tables: a service by its project (from
 * the run file's pids, where the launcher lists its local node as `chain`),
 * a Hardhat node the run file does not list by its command line, and any other
 * process after its nearest named ancestor (the launcher's own helpers count
 * as the launcher).
 */
export function stackProcessTree(launcher: number, services: readonly Watched[], lookup: ProcessTreeLookup = PROC): Watched[] {
  const projects = new Map(services.map(({ project, pid }) => [pid, project]));
  const found: Watched[] = [];
  const seen = new Set<number>();
  const visit = (pid: number, inherited: string) => {
    if (seen.has(pid)) return;
    seen.add(pid);
    const project = projects.get(pid) ?? (lookup.command(pid).includes('hardhat') ? 'hardhat node' : inherited);
    found.push({ project, pid });
    for (const child of lookup.children(pid)) visit(child, project);
  };
  visit(launcher, 'launcher');
  // A service the tree walk missed (not a child of this launcher) still counts.
  return [...found, ...services.filter(({ pid }) => !seen.has(pid))];
}
