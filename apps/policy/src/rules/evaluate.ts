import type { HoldLimits, Standing, Verdict, WindowStanding } from '@nexus/stores';
import { applyBasisPoints, fromBaseUnits, type ReasonCode } from '@nexus/types';
import type { CatalogAgent, CatalogService, CatalogVariant, TreasuryRules } from '../catalog';
import { clampZero, highReserveLeft, treasuryLeft } from './treasury-left';

/** A configured agent with the store's overrides applied. */
export interface EffectiveAgent extends CatalogAgent {
  paused: boolean;
  /** What the previous period left unspent, carried into this one (rollover, at most its cap); 0 without rollover. */
  carry: bigint;
  /** The admin's approval threshold (null: none), which replaces the configured ones; absent: as configured. */
  approvalOverride?: bigint | null;
}

export interface EvaluationInput {
  agentId: string;
  serviceId: string;
  requestedVariant: string | null;
  agent: EffectiveAgent | undefined;
  service: CatalogService | undefined;
  /** Where the period stands before this call. */
  standing: Standing;
  /** Where the agent's weekly and monthly windows stand before this call. */
  windows: WindowStanding;
  treasury: TreasuryRules;
}

/** The part of the standing the rules use. */
interface Use {
  agentUsed: bigint;
  /** the agent's spend + holds in its weekly and monthly windows */
  weekUsed: bigint;
  monthUsed: bigint;
  highUsed: bigint;
  totalUsed: bigint;
}

interface HardRuleFailure {
  downgrade: ReasonCode;
  reject: ReasonCode;
  why: string;
}

type HardRule = (variant: CatalogVariant, agent: EffectiveAgent, standing: Use, treasury: TreasuryRules) => HardRuleFailure | null;

const mnee = (units: bigint) => `${fromBaseUnits(units)} MNEE`;

/** Rule 2: the price of one call against the agent's per-call maximum. */
const perCallLimit: HardRule = (variant, agent) =>
  variant.price > agent.maxPerCall
    ? {
        downgrade: 'PER_CALL_LIMIT_DOWNGRADE',
        reject: 'PER_CALL_LIMIT_EXCEEDED',
        why: `costs ${mnee(variant.price)}, above the per-call maximum of ${mnee(agent.maxPerCall)}`,
      }
    : null;

/** The daily window's budget: the period's budget and what rollover carried into it. */
export const dailyWindowBudget = (agent: EffectiveAgent) => agent.dailyBudget + agent.carry;

/** Rule 3: spend + holds + price against the agent's budget for the period. */
const dailyBudget: HardRule = (variant, agent, standing) => {
  const budget = dailyWindowBudget(agent);
  return standing.agentUsed + variant.price > budget
    ? {
        downgrade: 'DAILY_BUDGET_DOWNGRADE',
        reject: 'DAILY_BUDGET_EXCEEDED',
        why: `costs ${mnee(variant.price)} but only ${mnee(clampZero(budget - standing.agentUsed))} of the ${mnee(budget)} budget is left`,
      }
    : null;
};

/** Rule 3b: spend + holds + price in the agent's calendar week, then month, against that window's budget. */
const weeklyBudget: HardRule = (variant, agent, standing) =>
  agent.weeklyBudget !== null && standing.weekUsed + variant.price > agent.weeklyBudget
    ? {
        downgrade: 'WEEKLY_BUDGET_DOWNGRADE',
        reject: 'WEEKLY_BUDGET_EXCEEDED',
        why: `costs ${mnee(variant.price)} but only ${mnee(clampZero(agent.weeklyBudget - standing.weekUsed))} of the ${mnee(agent.weeklyBudget)} weekly budget is left`,
      }
    : null;

const monthlyBudget: HardRule = (variant, agent, standing) =>
  agent.monthlyBudget !== null && standing.monthUsed + variant.price > agent.monthlyBudget
    ? {
        downgrade: 'MONTHLY_BUDGET_DOWNGRADE',
        reject: 'MONTHLY_BUDGET_EXCEEDED',
        why: `costs ${mnee(variant.price)} but only ${mnee(clampZero(agent.monthlyBudget - standing.monthUsed))} of the ${mnee(agent.monthlyBudget)} monthly budget is left`,
      }
    : null;

/** Rule 4a: every agent, whatever its priority: treasury-wide spend + holds + price against the treasury's daily limit. */
const treasuryLimit: HardRule = (variant, _agent, standing, treasury) =>
  standing.totalUsed + variant.price > treasury.dailyLimit
    ? {
        downgrade: 'TREASURY_LIMIT_DOWNGRADE',
        reject: 'TREASURY_LIMIT_EXCEEDED',
        why: `costs ${mnee(variant.price)} but only ${mnee(treasuryLeft(treasury, standing.totalUsed))} of the treasury's ${mnee(treasury.dailyLimit)} daily limit is left`,
      }
    : null;

/**
 * Rule 4b: restricted priorities may not take the treasury-wide spend into the
 * part of the treasury's limit kept for HIGH agents (less what HIGH agents
 * have already used of it).
 */
const priorityReserve: HardRule = (variant, agent, standing, treasury) => {
  if (!treasury.restrictedPriorities.has(agent.priority)) return null;
  const reserveLeft = highReserveLeft(treasury, standing.highUsed);
  const ceiling = treasury.dailyLimit - reserveLeft;
  return standing.totalUsed + variant.price > ceiling
    ? {
        downgrade: 'PRIORITY_RESERVE_DOWNGRADE',
        reject: 'PRIORITY_RESERVE_EXCEEDED',
        why: `costs ${mnee(variant.price)} and would take treasury spend (${mnee(standing.totalUsed)} of ${mnee(treasury.dailyLimit)}) into the ${mnee(reserveLeft)} kept for HIGH-priority agents`,
      }
    : null;
};

const HARD_RULES: readonly HardRule[] = [perCallLimit, dailyBudget, weeklyBudget, monthlyBudget, treasuryLimit, priorityReserve];

/** The rules of docs/architecture.md §4, in order. Pure: the same input always gives the same verdict. */
export function evaluate(input: EvaluationInput): Verdict {
  const { agent, service } = input;
  if (!agent) return rejected('AGENT_UNKNOWN', `agent "${input.agentId}" is not configured`);
  if (agent.paused) return rejected('AGENT_PAUSED', `agent "${agent.id}" is paused`);
  if (!service) return rejected('SERVICE_UNKNOWN', `service "${input.serviceId}" is not configured`);
  if (!agent.allowedServices.includes(service.id)) {
    return rejected('SERVICE_NOT_ALLOWED', `agent "${agent.id}" may not use ${service.id}`);
  }
  const requestedId = input.requestedVariant ?? service.defaultVariant;
  const requested = service.variants.find((v) => v.id === requestedId);
  if (!requested) {
    const known = service.variants.map((v) => v.id).join(', ');
    return rejected('VARIANT_UNKNOWN', `${service.id} has no variant "${requestedId}" (it has ${known})`);
  }
  if (service.maxPrice !== undefined && requested.price > service.maxPrice) {
    const why = `${service.id} asks ${mnee(requested.price)}, above its maxPrice of ${mnee(service.maxPrice)} in services.yaml`;
    return verdict('REJECTED', 'PRICE_ABOVE_MAX', why, requested, null);
  }

  const { standing: s, windows: w } = input;
  const standing: Use = {
    agentUsed: s.agentSpent + s.agentReserved,
    weekUsed: w.weekly.spent + w.weekly.reserved,
    monthUsed: w.monthly.spent + w.monthly.reserved,
    highUsed: s.highUsed,
    totalUsed: s.treasuryUsed,
  };
  const limits = holdLimits(agent, input.treasury, w);
  const failureOf = (variant: CatalogVariant) => {
    for (const rule of HARD_RULES) {
      const failure = rule(variant, agent, standing, input.treasury);
      if (failure) return failure;
    }
    return null;
  };
  const label = `${service.id} ${requested.id}`;
  const cheaper = service.variants.filter((v) => v.price < requested.price).sort((a, b) => compare(b.price, a.price));

  const failure = failureOf(requested);
  if (failure) {
    const fallback = cheaper.find((v) => failureOf(v) === null);
    return fallback
      ? verdict(
          'DOWNGRADED',
          failure.downgrade,
          `${label} ${failure.why}; downgraded to ${fallback.id} (${mnee(fallback.price)})`,
          fallback,
          limits,
        )
      : verdict('REJECTED', failure.reject, `${label} ${failure.why}`, requested, null);
  }

  const pressured = service.pressureDowngrade
    ? underPressure(
        agent,
        standing,
        requested,
        cheaper.filter((v) => failureOf(v) === null),
        input.treasury,
      )
    : null;
  if (pressured) {
    return verdict(
      'DOWNGRADED',
      'BUDGET_PRESSURE_DOWNGRADE',
      `${label} (${mnee(requested.price)}) would leave ${agent.id} under ${input.treasury.pressureBasisPoints / 100}% of its budget; downgraded to ${pressured.id} (${mnee(pressured.price)})`,
      pressured,
      limits,
    );
  }
  return verdict('ALLOWED', 'WITHIN_POLICY', `${label} allowed for ${mnee(requested.price)}`, requested, limits);
}

/**
 * Rule 5: when the call would leave less than the pressure share of the
 * budget, the dearest cheaper variant that stays above it, else the cheapest.
 */
function underPressure(
  agent: EffectiveAgent,
  standing: Use,
  requested: CatalogVariant,
  cheaperAllowed: readonly CatalogVariant[],
  treasury: TreasuryRules,
): CatalogVariant | null {
  const budget = dailyWindowBudget(agent);
  const threshold = applyBasisPoints(budget, treasury.pressureBasisPoints);
  const leftAfter = (v: CatalogVariant) => budget - standing.agentUsed - v.price;
  if (leftAfter(requested) >= threshold || cheaperAllowed.length === 0) return null;
  return cheaperAllowed.find((v) => leftAfter(v) >= threshold) ?? cheaperAllowed[cheaperAllowed.length - 1] ?? null;
}

/** What the store re-checks when it writes the hold: the same budgets, windows, treasury limit and reserve as rules 3 and 4. */
function holdLimits(agent: EffectiveAgent, treasury: TreasuryRules, windows: WindowStanding): HoldLimits {
  return {
    agentBudget: dailyWindowBudget(agent),
    weekly: agent.weeklyBudget === null ? null : { since: windows.weekly.start, budget: agent.weeklyBudget },
    monthly: agent.monthlyBudget === null ? null : { since: windows.monthly.start, budget: agent.monthlyBudget },
    high: agent.priority === 'HIGH',
    treasuryLimit: treasury.dailyLimit,
    reserve: treasury.restrictedPriorities.has(agent.priority)
      ? { dailyLimit: treasury.dailyLimit, highReserve: treasury.highReserve }
      : null,
  };
}

function verdict(
  action: Verdict['action'],
  reason: ReasonCode,
  message: string,
  variant: CatalogVariant,
  limits: HoldLimits | null,
): Verdict {
  return { action, reason, message, variant: variant.id, amount: variant.price, limits };
}

function rejected(reason: ReasonCode, message: string): Verdict {
  return { action: 'REJECTED', reason, message, variant: null, amount: null, limits: null };
}

const compare = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
