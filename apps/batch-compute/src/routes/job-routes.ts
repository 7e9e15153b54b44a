import type { Router } from 'express';
import { notFound, parseInput } from '@nexus/service-kit';
import type { JobStore } from '@nexus/stores';
import { BatchJobIdParams } from '@nexus/types';
import { toBatchJob } from '../job-view';

/** The free reads of BATCH_COMPUTE. */
export function jobRoutes(jobs: JobStore): (router: Router) => void {
  return (router) => {
    /** A job's status, progress and, once it is done, its result or error. */
    router.get('/jobs/:id', async (req, res) => {
      const { id } = parseInput(BatchJobIdParams, req.params, 'params');
      const job = await jobs.get(id);
      if (!job) throw notFound('JOB_NOT_FOUND', `no job ${id}`);
      res.json(toBatchJob(job));
    });
  };
}
