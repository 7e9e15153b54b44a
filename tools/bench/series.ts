import { LOAD_GENERATOR, measuringCpu, type Watched } from './cpu-usage';
import { runLoad, type LoadSpec } from './load';
import { out } from './out';
import type { LoadKind, LoadRow } from './report';

export interface SeriesOptions {
  kind: LoadKind;
  target: string;
  /** the route and what to send; connections and length come from the series */
  spec: Omit<LoadSpec, 'connections' | 'seconds'>;
  connections: readonly number[];
  seconds: number;
  /** a discarded run at 10 connections first, so the JIT and the stores are warm */
  warmupSeconds: number;
  /** called before every run (e.g. to reset budgets) */
  before?: () => Promise<void>;
  /** the processes whose CPU time each run accounts for (asked before each run) */
  watched: () => Watched[] | Promise<Watched[]>;
}

/** Warms up, then one run per connection count; prints a line per run as it ends. */
export async function measureSeries(options: SeriesOptions): Promise<LoadRow[]> {
  await options.before?.();
  await runLoad({ ...options.spec, connections: 10, seconds: options.warmupSeconds });
  const rows: LoadRow[] = [];
  for (const connections of options.connections) {
    await options.before?.();
    const watched = [...(await options.watched()), { project: LOAD_GENERATOR, pid: process.pid }];
    const { result, cpu, machineCores } = await measuringCpu(watched, () =>
      runLoad({ ...options.spec, connections, seconds: options.seconds }),
    );
    rows.push({ kind: options.kind, target: options.target, ...result, cpu, machineCores });
    const bad = result.unexpected + result.errors;
    out(
      `  ${options.target}, ${connections} conn: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms` +
        (bad > 0 ? `, ${bad} unexpected (${JSON.stringify(result.statuses)})` : ''),
    );
  }
  return rows;
}
