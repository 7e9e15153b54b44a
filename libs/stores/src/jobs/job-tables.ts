/** Table shape of a BATCH_COMPUTE provider's jobs. Integers are BIGINT (read back as bigint); times are epoch milliseconds. */
export interface JobTables {
  jobs: {
    id: string;
    /** Unique: the payment that bought the job buys exactly one. */
    payment_id: string;
    kind: string;
    /** the job's input, JSON */
    input: string;
    status: string;
    /** units of work done of `progress_total` */
    progress_done: bigint;
    progress_total: bigint;
    /** where a worker can resume from (the kind's own JSON), or null to start over */
    checkpoint: string | null;
    /** the result, JSON, once SUCCEEDED */
    result: string | null;
    error_code: string | null;
    error_message: string | null;
    /** times a worker took the job */
    attempts: bigint;
    /** who runs this RUNNING job, until when (one worker across replicas) */
    lease_owner: string | null;
    lease_until: bigint | null;
    created_at: bigint;
    updated_at: bigint;
    started_at: bigint | null;
    finished_at: bigint | null;
  };
}
