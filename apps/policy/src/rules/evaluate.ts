import type { HoldLimits, Standing, Verdict } from '@nexus/stores';
import { applyBasisPoints, fromBaseUnits, type ReasonCode } from '@nexus/types';
import type { CatalogAgent, CatalogService, CatalogVariant, TreasuryRules } from '../catalog';

/** A configured agent with the store's overrides applied. */
export interface EffectiveAgent extends CatalogAgent {
  paused: boolean;
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
  treasury: TreasuryRules;
}

/** The part of the standing the rules use. */
interface Use {
  agentUsed: bigint;
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

/** Rule 3: spend + holds + price against the agent's budget for the period. */
const dailyBudget: HardRule = (variant, agent, standing) =>
  standing.agentUsed + variant.price > agent.dailyBudget
    ? {
        downgrade: 'DAILY_BUDGET_DOWNGRADE',
        reject: 'DAILY_BUDGET_EXCEEDED',
        why: `costs ${mnee(variant.price)} but only ${mnee(clampZero(agent.dailyBudget - standing.agentUsed))} of the ${mnee(agent.dailyBudget)} budget is left`,
      }
    : null;

/** Rule 4a: every agent, whatever its priority: treasury-wide spend + holds + price against the treasury's daily limit. */
const treasuryLimit: HardRule = (variant, _agent, standing, treasury) =>
  standing.totalUsed + variant.price > treasury.dailyLimit
    ? {
        downgrade: 'TREASURY_LIMIT_DOWNGRADE',
        reject: 'TREASURY_LIMIT_EXCEEDED',
        why: `costs ${mnee(variant.price)} but only ${mnee(clampZero(treasury.dailyLimit - standing.totalUsed))} of the treasury's ${mnee(treasury.dailyLimit)} daily limit is left`,
      }
    : null;

/**
 * Rule 4b: restricted priorities may not take the treasury-wide spend into the
 * part of the treasury's limit kept for HIGH agents (less what HIGH agents
 * have already used of it).
 */
const priorityReserve: HardRule = (variant, agent, standing, treasury) => {
  if (!treasury.restrictedPriorities.has(agent.priority)) return null;
  const reserveLeft = clampZero(treasury.highReserve - standing.highUsed);
  const ceiling = treasury.dailyLimit - reserveLeft;
  return standing.totalUsed + variant.price > ceiling
    ? {
        downgrade: 'PRIORITY_RESERVE_DOWNGRADE',
        reject: 'PRIORITY_RESERVE_EXCEEDED',
        why: `costs ${mnee(variant.price)} and would take treasury spend (${mnee(standing.totalUsed)} of ${mnee(treasury.dailyLimit)}) into the ${mnee(reserveLeft)} kept for HIGH-priority agents`,
      }
    : null;
};

const HARD_RULES: readonly HardRule[] = [perCallLimit, dailyBudget, treasuryLimit, priorityReserve];

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

  const { standing: s } = input;
  const standing: Use = { agentUsed: s.agentSpent + s.agentReserved, highUsed: s.highUsed, totalUsed: s.treasuryUsed };
  const limits = holdLimits(agent, input.treasury);
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
  const threshold = applyBasisPoints(agent.dailyBudget, treasury.pressureBasisPoints);
  const leftAfter = (v: CatalogVariant) => agent.dailyBudget - standing.agentUsed - v.price;
  if (leftAfter(requested) >= threshold || cheaperAllowed.length === 0) return null;
  return cheaperAllowed.find((v) => leftAfter(v) >= threshold) ?? cheaperAllowed[cheaperAllowed.length - 1] ?? null;
}

/** What the store re-checks when it writes the hold: the same budget, treasury limit and reserve as rules 3 and 4. */
function holdLimits(agent: EffectiveAgent, treasury: TreasuryRules): HoldLimits {
  return {
    agentBudget: agent.dailyBudget,
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

const clampZero = (value: bigint) => (value < 0n ? 0n : value);
const compare = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
