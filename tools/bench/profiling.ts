import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** How to start a service so that it can be profiled (cpu-profile-preload.ts). */
export interface Profiling {
  /** node flags preloading the profiler */
  flags: string[];
  /** where the profiles go */
  env: { BENCH_CPU_PROFILE_DIR: string };
}

export function profiling(dir: string): Profiling {
  mkdirSync(dir, { recursive: true });
  return {
    flags: ['--require', 'tsx/cjs', '--require', resolve(__dirname, 'cpu-profile-preload.ts')],
    env: { BENCH_CPU_PROFILE_DIR: dir },
  };
}

/** Starts the profilers of these processes (preloaded, waiting for SIGUSR2). */
export function startProfilers(pids: readonly number[]): void {
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
}

/** The profile process `pid` wrote in `dir` on its way out. */
export function profileOf(dir: string, pid: number): string | undefined {
  const name = readdirSync(dir).find((file) => file === `CPU.bench.${pid}.cpuprofile`);
  return name ? join(dir, name) : undefined;
}
