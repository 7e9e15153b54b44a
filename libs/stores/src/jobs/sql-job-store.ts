import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database, Dialect } from '../database';
import { migrate } from '../migrations';
import { jobMigrations } from './job-migrations';
import { jobStatusOf, ms, toJob } from './job-rows';
import { JOB_STATUSES, type JobProgress, type JobRecord, type JobStatus, type JobStore, type NewJob } from './job-store';
import type { JobTables } from './job-tables';

/**
 * Opens (and migrates) the jobs of a BATCH_COMPUTE provider on its database
 * (SQLite or PostgreSQL). The database stays the caller's to close.
 */
export async function createJobStore(database: Database<JobTables>): Promise<JobStore> {
  await migrate(database.db as Kysely<unknown>, 'jobs', jobMigrations);
  return new SqlJobStore(database.db, database.dialect);
}

/** QUEUED, or RUNNING for a worker whose lease ran out. */
const claimable = (now: Date) => (eb: ExpressionBuilder<JobTables, 'jobs'>) =>
  eb.or([
    eb('status', '=', 'QUEUED'),
    eb.and([eb('status', '=', 'RUNNING'), eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', ms(now))])]),
  ]);

class SqlJobStore implements JobStore {
  constructor(
    private readonly db: Kysely<JobTables>,
    private readonly dialect: Dialect,
  ) {}

  async enqueue(job: NewJob, now: Date): Promise<{ job: JobRecord; created: boolean }> {
    const inserted = await this.db
      .insertInto('jobs')
      .values({
        id: job.id,
        payment_id: job.paymentId,
        kind: job.kind,
        input: job.input,
        status: 'QUEUED',
        progress_done: 0n,
        progress_total: BigInt(job.total),
        attempts: 0n,
        created_at: ms(now),
        updated_at: ms(now),
      })
      .onConflict((oc) => oc.column('payment_id').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { job: toJob(inserted), created: true };
    const existing = await this.db.selectFrom('jobs').selectAll().where('payment_id', '=', job.paymentId).executeTakeFirstOrThrow();
    return { job: toJob(existing), created: false };
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toJob(row);
  }

  async claim(owner: string, now: Date, until: Date): Promise<JobRecord | undefined> {
    let oldest = this.db.selectFrom('jobs').select('id').where(claimable(now)).orderBy('created_at').orderBy('id').limit(1);
    // PostgreSQL: a replica passes over a row another one is taking instead of queueing behind it (and then missing it).
    if (this.dialect === 'postgres') oldest = oldest.forUpdate().skipLocked();
    const row = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'RUNNING',
        lease_owner: owner,
        lease_until: ms(until),
        attempts: eb('attempts', '+', 1n),
        started_at: eb.fn.coalesce('started_at', eb.val(ms(now))),
        updated_at: ms(now),
      }))
      // `=` makes the pick a one-off sub-plan: PostgreSQL could rescan an `in` and take more than one row
      .where('id', '=', oldest)
      // checked again on the row as it is now: a job taken meanwhile is not taken twice
      .where(claimable(now))
      .returningAll()
      .executeTakeFirst();
    return row && toJob(row);
  }

  async heartbeat(id: string, owner: string, progress: JobProgress, now: Date, until: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ ...progressColumns(progress), lease_until: ms(until), updated_at: ms(now) })
      .where('id', '=', id)
      .where('status', '=', 'RUNNING')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async release(id: string, owner: string, progress: JobProgress, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ ...progressColumns(progress), status: 'QUEUED', lease_owner: null, lease_until: null, updated_at: ms(now) })
      .where('id', '=', id)
      .where('status', '=', 'RUNNING')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async succeed(id: string, owner: string, result: string, now: Date): Promise<boolean> {
    const updated = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'SUCCEEDED',
        result,
        progress_done: eb.ref('progress_total'),
        checkpoint: null,
        lease_owner: null,
        lease_until: null,
        finished_at: ms(now),
        updated_at: ms(now),
      }))
      .where('id', '=', id)
      .where('status', '=', 'RUNNING')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  }

  async fail(id: string, owner: string, error: { code: string; message: string }, now: Date): Promise<boolean> {
    const updated = await this.db
      .updateTable('jobs')
      .set({
        status: 'FAILED',
        error_code: error.code,
        error_message: error.message,
        checkpoint: null,
        lease_owner: null,
        lease_until: null,
        finished_at: ms(now),
        updated_at: ms(now),
      })
      .where('id', '=', id)
      .where('status', '=', 'RUNNING')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  }

  async requeueRunning(now: Date): Promise<number> {
    const result = await this.db
      .updateTable('jobs')
      .set({ status: 'QUEUED', lease_owner: null, lease_until: null, updated_at: ms(now) })
      .where('status', '=', 'RUNNING')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async countByStatus(): Promise<Record<JobStatus, number>> {
    const rows = await this.db
      .selectFrom('jobs')
      .select((eb) => ['status', eb.fn.countAll<bigint>().as('count')])
      .groupBy('status')
      .execute();
    const counts = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
    for (const row of rows) counts[jobStatusOf(row.status)] = Number(row.count);
    return counts;
  }
}

function progressColumns(progress: JobProgress) {
  return { progress_done: BigInt(progress.done), progress_total: BigInt(progress.total), checkpoint: progress.checkpoint };
}
