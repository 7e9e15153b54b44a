import type { Selectable } from 'kysely';
import { JOB_STATUSES, type JobRecord, type JobStatus } from './job-store';
import type { JobTables } from './job-tables';

export type JobRow = Selectable<JobTables['jobs']>;

export const ms = (date: Date) => BigInt(date.getTime());
const toDate = (value: bigint) => new Date(Number(value));

export function jobStatusOf(value: string): JobStatus {
  const status = JOB_STATUSES.find((candidate) => candidate === value);
  if (!status) throw new Error(`unknown job status in the store: ${value}`);
  return status;
}

export function toJob(row: JobRow): JobRecord {
  return {
    id: row.id,
    paymentId: row.payment_id,
    kind: row.kind,
    input: row.input,
    status: jobStatusOf(row.status),
    progress: { done: Number(row.progress_done), total: Number(row.progress_total), checkpoint: row.checkpoint },
    result: row.result,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    attempts: Number(row.attempts),
    lease: row.lease_owner !== null && row.lease_until !== null ? { owner: row.lease_owner, until: toDate(row.lease_until) } : null,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    startedAt: row.started_at === null ? null : toDate(row.started_at),
    finishedAt: row.finished_at === null ? null : toDate(row.finished_at),
  };
}
