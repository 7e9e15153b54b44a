import type { TargetResult } from './report';
import { verdict } from './table';

/**
 * Issue 16's figures from the run before its work ("the lean paid call"),
 * by target id: fixed, the "before" of the before/after table. The chain
 * share is the issue's 36/s over its limit of 5,300/s.
 */
export const BEFORE_ISSUE_16: Readonly<Record<string, string>> = {
  'gateway-throughput': '126 per second',
  'gateway-share': '2.3% (126 of 5,300 req/s)',
  'gateway-overhead': '16.7 ms',
  'gateway-cpu': '~14 ms',
  'decide-sqlite-share': '21%',
  'decide-sqlite-p99': '72 ms',
  'decide-postgres-share': '10%',
  'decide-postgres-p99': '142 ms',
  'chain-throughput': '36 per second',
  'chain-share': '0.7% (36 of 5,300 req/s)',
  'chain-p50': '547 ms',
};

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** Issue 16's targets as a Markdown table: the figure before its work, this run's, and met or missed by how much. */
export function beforeAfterTable(targets: readonly TargetResult[]): string[] {
  const rows = targets.flatMap((target) => {
    const before = BEFORE_ISSUE_16[target.id];
    return before === undefined ? [] : [[target.description, target.goal, before, target.measured, verdict(target)]];
  });
  return [
    '| measure | target | before (issue 16) | after (this run) | result |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}
