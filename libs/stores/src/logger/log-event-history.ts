import { sql, type Kysely } from 'kysely';
import { MONEY_DECIMALS } from '@nexus/types';
import { whereScope } from './log-event-filters';
import type { LogHistoryFilter, LogHistoryFigures, LogEventHistory } from './log-event-store';
import type { LoggerTables } from './logger-tables';

const BASE_UNITS_PER_MNEE = 10n ** BigInt(MONEY_DECIMALS);
const UNITS = sql.lit(BASE_UNITS_PER_MNEE.toString());

const none = (): LogHistoryFigures => ({ calls: 0, rejected: 0, payments: 0, refunds: 0, spent: 0n, refunded: 0n });

function add(into: LogHistoryFigures, cell: LogHistoryFigures): void {
  into.calls += cell.calls;
  into.rejected += cell.rejected;
  into.payments += cell.payments;
  into.refunds += cell.refunds;
  into.spent += cell.spent;
  into.refunded += cell.refunded;
}

function addTo(byKey: Map<string, LogHistoryFigures>, key: string, cell: LogHistoryFigures): void {
  let figures = byKey.get(key);
  if (!figures) byKey.set(key, (figures = none()));
  add(figures, cell);
}

/**
 * Spend, calls and refunds per bucket of `filter.bucketMs`, by agent and by
 * service, in one grouped query. A bucket is `occurred_at - occurred_at % size`
 * on the epoch-ms column: plain integer arithmetic, the same on SQLite and
 * PostgreSQL, and whole UTC hours and days (epoch time has no leap seconds).
 * Amounts are summed as whole MNEE and remainders apart, as the stats are: a
 * 64-bit SUM of base units would overflow on a few maximal amounts.
 */
export async function logEventHistory(db: Kysely<LoggerTables>, filter: LogHistoryFilter): Promise<LogEventHistory> {
  const size = sql.lit(String(Math.trunc(filter.bucketMs)));
  const bucket = sql<bigint | string>`occurred_at - (occurred_at % ${size})`;
  const paid = sql`kind = 'transaction' and status in ('SUCCESS', 'MOCK')`;
  const refund = sql`kind = 'transaction' and status = 'REFUNDED'`;
  const count = (condition: ReturnType<typeof sql>) => sql<bigint | string | number>`sum(case when ${condition} then 1 else 0 end)`;
  const whole = (condition: ReturnType<typeof sql>) =>
    sql<bigint | string | number | null>`sum(case when ${condition} then amount / ${UNITS} else 0 end)`;
  const rest = (condition: ReturnType<typeof sql>) =>
    sql<bigint | string | number | null>`sum(case when ${condition} then amount % ${UNITS} else 0 end)`;
  const rows = await whereScope(
    db
      .selectFrom('log_events')
      .select([
        bucket.as('bucket'),
        'agent_id',
        'service_id',
        count(sql`kind = 'decision'`).as('calls'),
        count(sql`kind = 'decision' and action = 'REJECTED'`).as('rejected'),
        count(paid).as('payments'),
        count(refund).as('refunds'),
        whole(paid).as('paid_whole'),
        rest(paid).as('paid_rest'),
        whole(refund).as('refunded_whole'),
        rest(refund).as('refunded_rest'),
      ])
      .where('kind', 'in', ['decision', 'transaction']),
    filter,
  )
    .groupBy([bucket, 'agent_id', 'service_id'])
    .orderBy(bucket)
    .execute();

  const buckets = new Map<number, LogEventHistory['buckets'][number]>();
  const totals = none();
  for (const row of rows) {
    const start = Number(row.bucket);
    const paidUnits = BigInt(row.paid_whole ?? 0) * BASE_UNITS_PER_MNEE + BigInt(row.paid_rest ?? 0);
    const refunded = BigInt(row.refunded_whole ?? 0) * BASE_UNITS_PER_MNEE + BigInt(row.refunded_rest ?? 0);
    const cell: LogHistoryFigures = {
      calls: Number(row.calls),
      rejected: Number(row.rejected),
      payments: Number(row.payments),
      refunds: Number(row.refunds),
      spent: paidUnits - refunded,
      refunded,
    };
    let point = buckets.get(start);
    if (!point) buckets.set(start, (point = { start: new Date(start), ...none(), byAgent: new Map(), byService: new Map() }));
    add(point, cell);
    addTo(point.byAgent, row.agent_id, cell);
    addTo(point.byService, row.service_id, cell);
    add(totals, cell);
  }
  return { totals, buckets: [...buckets.values()].sort((a, b) => a.start.getTime() - b.start.getTime()) };
}
