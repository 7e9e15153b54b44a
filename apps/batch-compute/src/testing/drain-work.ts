import type { JobStep } from '../jobs/job-work';

/** Runs a job's work to its end: every step it yielded, and its result. */
export function drain<Result>(work: Generator<JobStep, Result, void>): { steps: JobStep[]; result: Result } {
  const steps: JobStep[] = [];
  for (;;) {
    const next = work.next();
    if (next.done) return { steps, result: next.value };
    steps.push(next.value);
  }
}
