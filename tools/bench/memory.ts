import { readFileSync } from 'node:fs';

/** Resident set size of a process in MB (VmRSS of /proc/<pid>/status); undefined when it is gone or not on Linux. */
export function residentMb(pid: number): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  return parseVmRss(status);
}

/** The VmRSS line of a /proc status file, in MB. */
export function parseVmRss(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) / 1024 : undefined;
}
