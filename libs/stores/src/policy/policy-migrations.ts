import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../database';
import { RECORD_DECISION_FUNCTION, RECORD_WINDOWED_DECISION_FUNCTION, SETTLE_FUNCTION } from './policy-functions';

/**
 * Portable DDL (SQLite and PostgreSQL), and PostgreSQL's functions of the hot
 * path. Append new migrations; never edit a shipped one.
 */
export const policyMigrations = (dialect: Dialect): Record<string, Migration> => ({
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('policy_periods')
        .addColumn('id', 'bigint', (c) => c.primaryKey())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('ends_at', 'bigint', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .execute();
      // One row: the current period. Rolling over to a new period locks it.
      await db.schema
        .createTable('policy_state')
        .addColumn('id', 'bigint', (c) => c.primaryKey())
        .addColumn('period_id', 'bigint', (c) => c.notNull().references('policy_periods.id'))
        .execute();
      await db.schema
        .createTable('policy_agents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('daily_budget', 'bigint')
        .addColumn('max_per_call', 'bigint')
        .addColumn('paused', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('policy_decisions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('service_id', 'text', (c) => c.notNull())
        .addColumn('requested_variant', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('variant', 'text')
        .addColumn('amount', 'bigint')
        .addColumn('reservation_id', 'text')
        .addColumn('period_id', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('policy_decisions_idempotency')
        .on('policy_decisions')
        .columns(['agent_id', 'idempotency_key'])
        .unique()
        .execute();
      await db.schema
        .createTable('policy_reservations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('decision_id', 'text', (c) => c.notNull().references('policy_decisions.id'))
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('service_id', 'text', (c) => c.notNull())
        .addColumn('variant', 'text', (c) => c.notNull())
        .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount >= 0`))
        .addColumn('committed_amount', 'bigint')
        .addColumn('high', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('period_id', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('settled_at', 'bigint')
        .addColumn('release_reason', 'text')
        .execute();
      // Running totals per agent and period, kept in step with reservations in the same transactions,
      // so a decision reads a handful of rows instead of summing every hold of the period.
      await db.schema
        .createTable('policy_usage')
        .addColumn('period_id', 'bigint', (c) => c.notNull())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('spent', 'bigint', (c) => c.notNull().check(sql`spent >= 0`))
        .addColumn('reserved', 'bigint', (c) => c.notNull().check(sql`reserved >= 0`))
        .addPrimaryKeyConstraint('policy_usage_pk', ['period_id', 'agent_id'])
        .execute();
      await db.schema
        .createTable('policy_treasury')
        .addColumn('period_id', 'bigint', (c) => c.primaryKey())
        .addColumn('used', 'bigint', (c) => c.notNull().check(sql`used >= 0`))
        .addColumn('high_used', 'bigint', (c) => c.notNull().check(sql`high_used >= 0`))
        .execute();
      await db.schema.createIndex('policy_reservations_expiry').on('policy_reservations').columns(['status', 'expires_at']).execute();
    },
  },
  '0002_list_indexes': {
    // Newest-first pages of decisions and holds (GET /decisions, GET /reservations), and the holds of a decision.
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('policy_decisions_created').on('policy_decisions').columns(['created_at', 'id']).execute();
      await db.schema.createIndex('policy_reservations_created').on('policy_reservations').columns(['created_at', 'id']).execute();
      await db.schema.createIndex('policy_reservations_decision').on('policy_reservations').column('decision_id').execute();
    },
  },
  '0003_hot_functions': {
    // PostgreSQL: a decision's write and a settlement, one call each (policy-functions.ts). SQLite runs the same steps as statements.
    async up(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      await sql.raw(RECORD_DECISION_FUNCTION).execute(db);
      await sql.raw(SETTLE_FUNCTION).execute(db);
    },
  },
  '0004_budget_windows': {
    // Weekly and monthly windows: the agents' overrides, and indexes for summing an agent's periods since a window's start.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('policy_agents').addColumn('weekly_budget', 'bigint').execute();
      await db.schema
        .alterTable('policy_agents')
        .addColumn('weekly_budget_set', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('policy_agents').addColumn('monthly_budget', 'bigint').execute();
      await db.schema
        .alterTable('policy_agents')
        .addColumn('monthly_budget_set', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('policy_periods_started').on('policy_periods').column('started_at').execute();
      await db.schema.createIndex('policy_usage_agent').on('policy_usage').columns(['agent_id', 'period_id']).execute();
      // An agent's recent rejections (the rejection-spike alert).
      await db.schema
        .createIndex('policy_decisions_agent_action')
        .on('policy_decisions')
        .columns(['agent_id', 'action', 'created_at'])
        .execute();
      // The old function stays beside the new one: replicas of the previous release still call it during a rolling deploy.
      if (dialect === 'postgres') await sql.raw(RECORD_WINDOWED_DECISION_FUNCTION).execute(db);
    },
  },
  '0005_approvals': {
    // Human approval above a threshold: the admin's threshold per agent, and the approvals themselves.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('policy_agents').addColumn('approval_above', 'bigint').execute();
      await db.schema
        .alterTable('policy_agents')
        .addColumn('approval_above_set', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('policy_approvals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('decision_id', 'text', (c) => c.notNull().unique().references('policy_decisions.id'))
        .addColumn('reservation_id', 'text', (c) => c.notNull().references('policy_reservations.id'))
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('service_id', 'text', (c) => c.notNull())
        .addColumn('variant', 'text', (c) => c.notNull())
        .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount >= 0`))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('input', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'bigint')
        .addColumn('reason', 'text')
        .addColumn('outcome', 'text')
        .addColumn('completed_at', 'bigint')
        .execute();
      await db.schema.createIndex('policy_approvals_created').on('policy_approvals').columns(['created_at', 'id']).execute();
      await db.schema.createIndex('policy_approvals_due').on('policy_approvals').columns(['status', 'expires_at']).execute();
    },
  },
});
