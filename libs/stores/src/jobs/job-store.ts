/** The jobs of a BATCH_COMPUTE provider: a durable queue with one worker per job across replicas. */

export const JOB_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const;
/** QUEUED: waiting for a worker (again, when one gave it back); RUNNING: leased by a worker; SUCCEEDED and FAILED are final. */
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobProgress {
  done: number;
  total: number;
  /** where the next worker resumes (JSON of the job kind), or null to start over */
  checkpoint: string | null;
}

export interface JobRecord {
  id: string;
  paymentId: string;
  kind: string;
  /** JSON */
  input: string;
  status: JobStatus;
  progress: JobProgress;
  /** JSON, once SUCCEEDED */
  result: string | null;
  error: { code: string; message: string } | null;
  attempts: number;
  lease: { owner: string; until: Date } | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface NewJob {
  id: string;
  paymentId: string;
  kind: string;
  input: string;
  /** units of work the job will take */
  total: number;
}

export interface JobStore {
  /** Queues a job, or returns the one its payment already bought (`created: false`). */
  enqueue(job: NewJob, now: Date): Promise<{ job: JobRecord; created: boolean }>;
  get(id: string): Promise<JobRecord | undefined>;
  /**
   * Takes the oldest QUEUED job, or a RUNNING one whose lease ran out, for
   * `owner` until `until` (RUNNING, one more attempt). Atomic: two workers,
   * even on two replicas of one PostgreSQL, never get the same job.
   */
  claim(owner: string, now: Date, until: Date): Promise<JobRecord | undefined>;
  /** Saves progress and extends the lease; false when `owner` no longer holds the job. */
  heartbeat(id: string, owner: string, progress: JobProgress, now: Date, until: Date): Promise<boolean>;
  /** Gives a job back (QUEUED, progress kept) for the next worker to resume; false when `owner` did not hold it. */
  release(id: string, owner: string, progress: JobProgress, now: Date): Promise<boolean>;
  /** RUNNING → SUCCEEDED with its result, by the lease holder only. */
  succeed(id: string, owner: string, result: string, now: Date): Promise<boolean>;
  /** RUNNING → FAILED, by the lease holder only. */
  fail(id: string, owner: string, error: { code: string; message: string }, now: Date): Promise<boolean>;
  /**
   * Every RUNNING job back to QUEUED, whoever held it. Only for a store one
   * process owns (embedded SQLite) at start-up: its holders are gone.
   */
  requeueRunning(now: Date): Promise<number>;
  countByStatus(): Promise<Record<JobStatus, number>>;
}
