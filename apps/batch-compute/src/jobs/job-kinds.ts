import type { BatchComputeInput } from '@nexus/types';
import { hashChain } from './hash-chain';
import type { JobWork } from './job-work';
import { matrixPower, matrixPowerSteps } from './matrix-power';
import { primes } from './primes';
import { sortSteps, sortValues } from './sort';

/** Units of work a job takes, in the unit its steps report (`done` goes from 0 to this). */
export function totalUnits(job: BatchComputeInput): number {
  switch (job.kind) {
    case 'hash-chain':
      return job.iterations;
    case 'primes':
      return job.below;
    case 'matrix-power':
      return matrixPowerSteps(job.power);
    case 'sort':
      return sortSteps(job.values.length);
  }
}

/** The job's work, from the start or from a checkpoint a previous worker saved (one that does not fit is ignored). */
export function startWork(job: BatchComputeInput, checkpoint: unknown): JobWork {
  switch (job.kind) {
    case 'hash-chain':
      return hashChain(job, checkpoint);
    case 'primes':
      return primes(job, checkpoint);
    case 'matrix-power':
      return matrixPower(job, checkpoint);
    case 'sort':
      return sortValues(job);
  }
}
