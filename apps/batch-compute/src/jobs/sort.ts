import type { SortJob, SortResult } from '@nexus/types';
import type { JobStep } from './job-work';

/** Values sorted per step before the runs are merged. */
export const SORT_RUN = 4_096;

const runsOf = (count: number) => Math.ceil(count / SORT_RUN);
const passesOf = (count: number) => (count <= SORT_RUN ? 0 : Math.ceil(Math.log2(runsOf(count))));

/** Steps a sort takes: one per run, one per merge pass (at least one). */
export const sortSteps = (count: number) => Math.max(1, runsOf(count) + passesOf(count));

/**
 * A bottom-up merge sort in steps: sorts runs of `SORT_RUN` values, then
 * merges neighbouring runs, one pass per step. Small enough to start over
 * after a restart, so it keeps no checkpoint.
 */
export function* sortValues(job: SortJob): Generator<JobStep, SortResult, void> {
  const compare = job.order === 'asc' ? (a: number, b: number) => a - b : (a: number, b: number) => b - a;
  let values = [...job.values];
  let step = 0;
  for (let start = 0; start < values.length; start += SORT_RUN) {
    const run = values.slice(start, start + SORT_RUN).sort(compare);
    for (let i = 0; i < run.length; i += 1) values[start + i] = run[i] ?? 0;
    step += 1;
    yield { done: step, checkpoint: null };
  }
  for (let width = SORT_RUN; width < values.length; width *= 2) {
    const merged: number[] = [];
    for (let left = 0; left < values.length; left += 2 * width) {
      let i = left;
      let j = Math.min(left + width, values.length);
      const middle = j;
      const end = Math.min(left + 2 * width, values.length);
      while (i < middle && j < end) merged.push(compare(values[i] ?? 0, values[j] ?? 0) <= 0 ? (values[i++] ?? 0) : (values[j++] ?? 0));
      while (i < middle) merged.push(values[i++] ?? 0);
      while (j < end) merged.push(values[j++] ?? 0);
    }
    values = merged;
    step += 1;
    yield { done: step, checkpoint: null };
  }
  return { kind: 'sort', order: job.order, count: values.length, values };
}
