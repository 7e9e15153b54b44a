import type { LoadKind, LoadRow, TargetResult } from './report';

export const fixed = (value: number, digits: number) => value.toFixed(digits);
export const ms = (value: number) => `${fixed(value, 2)} ms`;
export const perSecond = (value: number) => `${fixed(value, 0)} per second`;
export const percent = (share: number) => `${fixed(share * 100, 1)}%`;

/** A floor: met when `measured ≥ goal`, else by how much it falls short and what multiple it needs. */
export function atLeast(measured: number, goal: number, show: (value: number) => string): Pick<TargetResult, 'met' | 'gap'> {
  if (measured >= goal) return { met: true, gap: `${show(measured - goal)} to spare` };
  const needs = measured > 0 ? `; needs ${fixed(goal / measured, 1)}× the measured figure` : '';
  return { met: false, gap: `short by ${show(goal - measured)}${needs}` };
}

/** A ceiling: met when `measured ≤ goal`, else by how much it is over and what multiple of the budget that is. */
export function atMost(measured: number, goal: number, show: (value: number) => string): Pick<TargetResult, 'met' | 'gap'> {
  if (measured <= goal) return { met: true, gap: `${show(goal - measured)} to spare` };
  return { met: false, gap: `over by ${show(measured - goal)} (${fixed(measured / goal, 1)}× the budget)` };
}

export const findLoad = (load: readonly LoadRow[], kind: LoadKind, connections: number) =>
  load.find((row) => row.kind === kind && row.connections === connections);

/** What a target is, before it is judged. */
export type TargetText = Pick<TargetResult, 'id' | 'description' | 'goal'>;

export const notMeasured = (text: TargetText): TargetResult => ({ ...text, measured: 'not measured', met: null, gap: '' });

/** `row`'s throughput as a share of the limit's at the same connection count, judged as a floor of `goalShare`. */
export function shareOfLimit(text: TargetText, load: readonly LoadRow[], row: LoadRow | undefined, goalShare: number): TargetResult {
  const limit = row && findLoad(load, 'limit', row.connections);
  if (!row || !limit || limit.requestsPerSecond === 0) return notMeasured(text);
  const share = row.requestsPerSecond / limit.requestsPerSecond;
  return {
    ...text,
    measured: `${percent(share)} (${fixed(row.requestsPerSecond, 0)} of ${fixed(limit.requestsPerSecond, 0)} req/s)`,
    ...atLeast(share * 100, goalShare * 100, (v) => `${fixed(v, 1)} points`),
  };
}

/** A figure of `row` judged as a floor or a ceiling; not measured without the row. */
export function judged(
  text: TargetText,
  row: LoadRow | undefined,
  figure: (row: LoadRow) => number,
  bound: typeof atLeast,
  goal: number,
  show: (value: number) => string,
): TargetResult {
  if (!row) return notMeasured(text);
  const value = figure(row);
  return { ...text, measured: show(value), ...bound(value, goal, show) };
}
