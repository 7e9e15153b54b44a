import type { Selectable } from 'kysely';
import { DecisionAction, ReasonCode, ReservationStatus } from '@nexus/types';
import type { AgentStateRecord, DecisionRecord, ReservationRecord } from './policy-store';
import type { PolicyTables } from './policy-tables';

/** Table rows ↔ store records: times are epoch milliseconds in the tables, Dates outside; status strings are checked. */

export const ms = (date: Date) => BigInt(date.getTime());
export const toDate = (value: bigint) => new Date(Number(value));

export function toAgentState(row: Selectable<PolicyTables['policy_agents']>): AgentStateRecord {
  return {
    id: row.id,
    dailyBudget: row.daily_budget,
    maxPerCall: row.max_per_call,
    // Only an override that was set is given: undefined leaves agents.yaml's window as it is.
    ...(row.weekly_budget_set === 1n ? { weeklyBudget: row.weekly_budget } : {}),
    ...(row.monthly_budget_set === 1n ? { monthlyBudget: row.monthly_budget } : {}),
    paused: row.paused !== 0n,
    ...(row.approval_above_set === 1n ? { approvalAbove: { amount: row.approval_above } } : {}),
  };
}

export function toDecision(row: Selectable<PolicyTables['policy_decisions']>): DecisionRecord {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    agentId: row.agent_id,
    serviceId: row.service_id,
    requestedVariant: row.requested_variant,
    action: DecisionAction.parse(row.action),
    reason: ReasonCode.parse(row.reason),
    message: row.message,
    variant: row.variant,
    amount: row.amount,
    reservationId: row.reservation_id,
    expiresAt: null,
    periodId: Number(row.period_id),
    createdAt: toDate(row.created_at),
  };
}

export function toReservation(row: Selectable<PolicyTables['policy_reservations']>): ReservationRecord {
  return {
    id: row.id,
    decisionId: row.decision_id,
    agentId: row.agent_id,
    serviceId: row.service_id,
    variant: row.variant,
    amount: row.amount,
    committedAmount: row.committed_amount,
    high: row.high === 1n,
    status: ReservationStatus.parse(row.status),
    periodId: Number(row.period_id),
    expiresAt: toDate(row.expires_at),
    createdAt: toDate(row.created_at),
    settledAt: row.settled_at === null ? null : toDate(row.settled_at),
    releaseReason: row.release_reason,
  };
}
