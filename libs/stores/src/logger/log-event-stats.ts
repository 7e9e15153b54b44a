import { sql, type Kysely } from 'kysely';
import { DecisionAction, MONEY_DECIMALS, TransactionStatus } from '@nexus/types';
import { whereScope } from './log-event-filters';
import type { LogEventStats, LogStatsFilter } from './log-event-store';
import type { LoggerTables } from './logger-tables';

const BASE_UNITS_PER_MNEE = 10n ** BigInt(MONEY_DECIMALS);

/** Events counted by kind, decision action and transaction status. */
async function counts(db: Kysely<LoggerTables>, filter: LogStatsFilter) {
  const rows = await whereScope(
    db.selectFrom('log_events').select((eb) => ['kind', 'action', 'status', eb.fn.countAll<bigint | string>().as('count')]),
    filter,
  )
    .groupBy(['kind', 'action', 'status'])
    .execute();
  const transactions = Object.fromEntries(TransactionStatus.options.map((status) => [status, 0])) as LogEventStats['transactions'];
  const decisions = Object.fromEntries(DecisionAction.options.map((action) => [action, 0])) as LogEventStats['decisions'];
  for (const row of rows) {
    const status = TransactionStatus.options.find((candidate) => candidate === row.status);
    const action = DecisionAction.options.find((candidate) => candidate === row.action);
    if (row.kind === 'transaction' && status) transactions[status] += Number(row.count);
    if (row.kind === 'decision' && action) decisions[action] += Number(row.count);
  }
  return { transactions, decisions };
}

/**
 * Net amounts (SUCCESS + MOCK less REFUNDED) per agent or per service, summed
 * in SQL as whole MNEE and remainders apart: a 64-bit SUM of base units (SQLite's)
 * would overflow on a few maximal amounts. PostgreSQL answers its numeric sums as strings.
 */
async function netBy(db: Kysely<LoggerTables>, column: 'agent_id' | 'service_id', filter: LogStatsFilter): Promise<Map<string, bigint>> {
  const rows = await whereScope(
    db
      .selectFrom('log_events')
      .select((eb) => [
        eb.ref(column).as('key'),
        sql<
          bigint | string | null
        >`sum(case when status = 'REFUNDED' then -(amount / ${BASE_UNITS_PER_MNEE}) else amount / ${BASE_UNITS_PER_MNEE} end)`.as('whole'),
        sql<
          bigint | string | null
        >`sum(case when status = 'REFUNDED' then -(amount % ${BASE_UNITS_PER_MNEE}) else amount % ${BASE_UNITS_PER_MNEE} end)`.as('rest'),
      ])
      .where('kind', '=', 'transaction')
      .where('status', 'in', ['SUCCESS', 'MOCK', 'REFUNDED']),
    filter,
  )
    .groupBy(column)
    .orderBy(column)
    .execute();
  return new Map(rows.map((row) => [row.key, BigInt(row.whole ?? 0) * BASE_UNITS_PER_MNEE + BigInt(row.rest ?? 0)]));
}

/** One snapshot (a repeatable-read transaction; SQLite's are serialisable), so counts and sums agree. */
export function logEventStats(db: Kysely<LoggerTables>, filter: LogStatsFilter): Promise<LogEventStats> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const { transactions, decisions } = await counts(trx, filter);
      const spendByAgent = await netBy(trx, 'agent_id', filter);
      const revenueByService = await netBy(trx, 'service_id', filter);
      let totalSpent = 0n;
      for (const amount of spendByAgent.values()) totalSpent += amount;
      return { transactions, decisions, totalSpent, spendByAgent, revenueByService };
    });
}
