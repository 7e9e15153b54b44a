import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '../stack/build';
import type { BenchReport } from './report';

export const BENCH_DIR = join(workspaceRoot, 'tmp', 'bench');

/** Writes the report to tmp/bench/<started at>.json and tmp/bench/latest.json; returns both paths. */
export function writeReport(report: BenchReport): string[] {
  mkdirSync(BENCH_DIR, { recursive: true });
  const text = `${JSON.stringify(report, null, 2)}\n`;
  const files = [join(BENCH_DIR, `${report.startedAt.replace(/[:.]/g, '-')}.json`), join(BENCH_DIR, 'latest.json')];
  for (const file of files) writeFileSync(file, text);
  return files;
}
