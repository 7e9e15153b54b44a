import type { DecisionRecord, PeriodRecord, PolicySnapshot, ReservationRecord, TreasuryStanding } from '@nexus/stores';
import {
  fromBaseUnits,
  type Agent,
  type AgentWindow,
  type Decision,
  type Period,
  type Reservation,
  type TreasuryLimit,
} from '@nexus/types';
import type { TreasuryRules } from './catalog';
import { dailyWindowBudget, type EffectiveAgent } from './rules/evaluate';
import { highReserveLeft, treasuryLeft } from './rules/treasury-left';

/** Store records → the HTTP shapes of @nexus/types. Money leaves as decimal strings. */

const money = (units: bigint | null) => (units === null ? null : fromBaseUnits(units));
const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** `grant`: the signed hold, for the answer to decide only (null for a rejection, a simulation, a read). */
export function decisionView(record: DecisionRecord, flags: { simulated: boolean; replayed: boolean; grant?: string | null }): Decision {
  return {
    id: record.id,
    action: record.action,
    reason: record.reason,
    message: record.message,
    agentId: record.agentId,
    serviceId: record.serviceId,
    requestedVariant: record.requestedVariant,
    variant: record.variant,
    amount: money(record.amount),
    reservationId: record.reservationId,
    expiresAt: iso(record.expiresAt),
    periodId: record.periodId,
    grant: flags.grant ?? null,
    simulated: flags.simulated,
    replayed: flags.replayed,
    createdAt: record.createdAt.toISOString(),
  };
}

export function reservationView(record: ReservationRecord): Reservation {
  return {
    id: record.id,
    decisionId: record.decisionId,
    agentId: record.agentId,
    serviceId: record.serviceId,
    variant: record.variant,
    amount: fromBaseUnits(record.amount),
    committedAmount: money(record.committedAmount),
    status: record.status,
    periodId: record.periodId,
    expiresAt: record.expiresAt.toISOString(),
    createdAt: record.createdAt.toISOString(),
    settledAt: iso(record.settledAt),
    releaseReason: record.releaseReason,
  };
}

export function agentView(agent: EffectiveAgent, snapshot: PolicySnapshot): Agent {
  const { period, standing, windows: w } = snapshot;
  const spent = standing.agentSpent;
  const reserved = standing.agentReserved;
  const daily = windowView('daily', period.startedAt, period.endsAt, dailyWindowBudget(agent), spent, reserved);
  const windows = [daily];
  if (agent.weeklyBudget !== null)
    windows.push(windowView('weekly', w.weekly.start, w.weekly.end, agent.weeklyBudget, w.weekly.spent, w.weekly.reserved));
  if (agent.monthlyBudget !== null)
    windows.push(windowView('monthly', w.monthly.start, w.monthly.end, agent.monthlyBudget, w.monthly.spent, w.monthly.reserved));
  return {
    id: agent.id,
    name: agent.name,
    priority: agent.priority,
    dailyBudget: fromBaseUnits(agent.dailyBudget),
    weeklyBudget: money(agent.weeklyBudget),
    monthlyBudget: money(agent.monthlyBudget),
    maxPerCall: fromBaseUnits(agent.maxPerCall),
    spentToday: fromBaseUnits(spent),
    reserved: fromBaseUnits(reserved),
    remaining: daily.remaining,
    paused: agent.paused,
    allowedServices: agent.allowedServices,
    periodId: period.id,
    windows,
    // The admin's threshold replaces the configured ones (per service too).
    approvalAbove: money(agent.approvalOverride !== undefined ? agent.approvalOverride : agent.approvalAbove),
    approvalAboveByService:
      agent.approvalOverride !== undefined
        ? {}
        : Object.fromEntries([...agent.approvalAboveByService].map(([serviceId, amount]) => [serviceId, fromBaseUnits(amount)])),
  };
}

function windowView(window: AgentWindow['window'], start: Date, end: Date, budget: bigint, spent: bigint, reserved: bigint): AgentWindow {
  const remaining = budget - spent - reserved;
  return {
    window,
    startsAt: start.toISOString(),
    endsAt: end.toISOString(),
    budget: fromBaseUnits(budget),
    spent: fromBaseUnits(spent),
    reserved: fromBaseUnits(reserved),
    remaining: fromBaseUnits(remaining < 0n ? 0n : remaining),
  };
}

export function periodView(period: PeriodRecord): Period {
  return { id: period.id, startedAt: period.startedAt.toISOString(), endsAt: period.endsAt.toISOString() };
}

/** The treasury's standing, with what is left worked out by the same functions as rules 4a and 4b. */
export function treasuryLimitView(standing: TreasuryStanding, treasury: TreasuryRules): TreasuryLimit {
  return {
    periodEndsAt: standing.period.endsAt.toISOString(),
    dailyLimit: fromBaseUnits(treasury.dailyLimit),
    spent: fromBaseUnits(standing.spent),
    reserved: fromBaseUnits(standing.reserved),
    remaining: fromBaseUnits(treasuryLeft(treasury, standing.spent + standing.reserved)),
    highReserve: fromBaseUnits(treasury.highReserve),
    highReserveLeft: fromBaseUnits(highReserveLeft(treasury, standing.highUsed)),
  };
}
