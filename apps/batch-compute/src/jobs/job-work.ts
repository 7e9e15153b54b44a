import type { BatchJobResult } from '@nexus/types';

/** Where a job stands after a small unit of work: units done, and (when cheap) where a later worker could resume. */
export interface JobStep {
  done: number;
  /** JSON-able state to resume from, or null when the kind starts over */
  checkpoint: unknown;
}

/**
 * A job as a generator: each `next()` does a small unit of work (a millisecond
 * or so) and yields its step, so the runner can slice the work between turns
 * of the event loop; the return value is the result.
 */
export type JobWork = Generator<JobStep, BatchJobResult, void>;
