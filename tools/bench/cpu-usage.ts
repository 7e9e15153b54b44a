import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A process whose CPU time a run accounts for. */
export interface Watched {
  project: string;
  pid: number;
}

export interface ServiceCpu {
  project: string;
  /** CPU time (user + system) the process used during the run */
  seconds: number;
  /** that time divided by the requests answered */
  msPerRequest: number;
  /** that time divided by the run's length: 1 is one core busy all along */
  cores: number;
}

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** utime + stime, in clock ticks, of a /proc/<pid>/stat line (fields 14 and 15, counted after the command in parentheses). */
export function parseCpuTicks(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  return Number.isFinite(user) && Number.isFinite(system) ? user + system : undefined;
}

/** CPU seconds process `pid` has used so far; undefined when it is gone (or not on Linux). */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const ticks = parseCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return ticks === undefined ? undefined : ticks / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Busy CPU seconds of the whole machine (all cores) from the first line of /proc/stat: everything but idle and iowait. */
export function parseMachineBusyTicks(stat: string): number | undefined {
  const [label, ...fields] = (stat.split('\n')[0] ?? '').trim().split(/\s+/);
  if (label !== 'cpu' || fields.length < 8) return undefined;
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number) as number[];
  const busy = [user, nice, system, irq, softirq, steal].reduce<number>((sum, value) => sum + (value ?? Number.NaN), 0);
  return Number.isFinite(busy) ? busy : undefined;
}

function machineBusySeconds(): number | undefined {
  try {
    const ticks = parseMachineBusyTicks(readFileSync('/proc/stat', 'utf8'));
    return ticks === undefined ? undefined : ticks / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * Runs `run` and reports how much CPU each watched project used meanwhile,
 * per request answered, and how many cores the whole machine kept busy
 * (more than the watched processes: other work running at the same time).
 */
export async function measuringCpu<T extends { requests: number; seconds: number }>(
  watched: readonly Watched[],
  run: () => Promise<T>,
): Promise<{ result: T; cpu: ServiceCpu[]; machineCores: number | null }> {
  const before = watched.map((process) => cpuSeconds(process.pid));
  const machineBefore = machineBusySeconds();
  const result = await run();
  const machineAfter = machineBusySeconds();
  const machineCores = machineBefore === undefined || machineAfter === undefined ? null : (machineAfter - machineBefore) / result.seconds;
  // Processes of one project (e.g. the database's backends) count together.
  const seconds = new Map<string, number>();
  watched.forEach((process, i) => {
    const start = before[i];
    const end = cpuSeconds(process.pid);
    if (start !== undefined && end !== undefined) seconds.set(process.project, (seconds.get(process.project) ?? 0) + end - start);
  });
  const cpu = [...seconds].map(([project, used]) => ({
    project,
    seconds: used,
    msPerRequest: result.requests > 0 ? (used * 1000) / result.requests : 0,
    cores: used / result.seconds,
  }));
  return { result, cpu, machineCores };
}

/** The bench's own process, watched to show what generating the load costs; never counted as the stack's CPU. */
export const LOAD_GENERATOR = 'load generator';

/**
 * The CPU of a run summed over every watched process but the load
 * generator: the launcher, every service, the database and the chain node.
 * msPerRequest is then the CPU one request cost the whole stack.
 */
export function stackCpu(cpu: readonly ServiceCpu[]): { msPerRequest: number; cores: number } {
  const stack = cpu.filter((process) => process.project !== LOAD_GENERATOR);
  return {
    msPerRequest: stack.reduce((sum, process) => sum + process.msPerRequest, 0),
    cores: stack.reduce((sum, process) => sum + process.cores, 0),
  };
}
