import { DEFAULT_ALERTS, type NexusConfig } from '@nexus/config';
import { X402_VARIANT, applyBasisPoints, toBaseUnits, type Priority } from '@nexus/types';

export interface CatalogVariant {
  id: string;
  price: bigint;
}

export interface CatalogService {
  id: string;
  name: string;
  defaultVariant: string;
  /** In configuration order. */
  variants: CatalogVariant[];
  pressureDowngrade: boolean;
  /** An x402 service's cap (rule 1b): its one variant is priced by its 402 answer, per call. */
  maxPrice?: bigint;
}

/** An external x402 service (services.yaml `kind: x402`): its price comes with each call, capped by `maxPrice`. */
export interface CatalogX402Service {
  id: string;
  name: string;
  maxPrice: bigint;
}

export interface CatalogAgent {
  id: string;
  name: string;
  priority: Priority;
  dailyBudget: bigint;
  /** null: the agent has no such window */
  weeklyBudget: bigint | null;
  monthlyBudget: bigint | null;
  maxPerCall: bigint;
  allowedServices: string[];
  /** percent of each window's budget at which a budget alert fires */
  alertThresholds: readonly number[];
  /** the most unspent budget the next period may carry; null: no rollover */
  maxCarry: bigint | null;
  /** A granted call above this waits for an operator (null: never), unless its service has its own threshold. */
  approvalAbove: bigint | null;
  approvalAboveByService: ReadonlyMap<string, bigint>;
}

export interface TreasuryRules {
  /** Treasury-wide spend allowed per period. */
  dailyLimit: bigint;
  /** The part of `dailyLimit` kept for HIGH agents. */
  highReserve: bigint;
  /** Priorities that may not spend into the reserve. */
  restrictedPriorities: ReadonlySet<Priority>;
  /** Rule 5 threshold, in basis points of the agent's budget. */
  pressureBasisPoints: number;
}

/** Configuration turned into what the rules work with: prices as base units, lookups by id. */
export interface PolicyCatalog {
  agents: ReadonlyMap<string, CatalogAgent>;
  services: ReadonlyMap<string, CatalogService>;
  x402Services: ReadonlyMap<string, CatalogX402Service>;
  treasury: TreasuryRules;
  holdTtlMs: number;
  /** policy.yaml period.length: weekly and monthly windows need daily periods */
  periodLength: 'daily' | 'weekly' | 'monthly';
  /** `count` rejections of one agent within `minutes`: a rejection_spike alert */
  rejectionSpike: { count: number; minutes: number };
  /** How long a call waits for approval (policy.yaml `approvals.ttlSeconds`); its hold lives as long. */
  approvalTtlMs: number;
}

const toBasisPoints = (fraction: number) => Math.round(fraction * 10_000);

export function buildCatalog(config: NexusConfig): PolicyCatalog {
  const alerts = config.policy.alerts ?? DEFAULT_ALERTS;
  const agents = new Map(
    config.agents.map((a) => [
      a.id,
      {
        id: a.id,
        name: a.name ?? a.id,
        priority: a.priority,
        dailyBudget: toBaseUnits(a.dailyBudget),
        weeklyBudget: a.weeklyBudget === undefined ? null : toBaseUnits(a.weeklyBudget),
        monthlyBudget: a.monthlyBudget === undefined ? null : toBaseUnits(a.monthlyBudget),
        maxPerCall: toBaseUnits(a.maxPerCall),
        allowedServices: a.allowedServices,
        alertThresholds: [...(a.alertThresholds ?? alerts.budgetThresholds)].sort((x, y) => x - y),
        maxCarry: carryOf(a.rollover ?? config.policy.rollover),
        approvalAbove: a.approvalAbove === undefined ? null : toBaseUnits(a.approvalAbove),
        approvalAboveByService: new Map(
          Object.entries(a.approvalAboveByService ?? {}).map(([serviceId, amount]) => [serviceId, toBaseUnits(amount)]),
        ),
      },
    ]),
  );
  const services = new Map(
    config.services.map((s) => [
      s.id,
      {
        id: s.id,
        name: s.name,
        defaultVariant: s.defaultVariant,
        variants: s.variants.map((v) => ({ id: v.id, price: toBaseUnits(v.price) })),
        pressureDowngrade: s.pressureDowngrade,
      },
    ]),
  );
  const x402Services = new Map(config.x402Services.map((s) => [s.id, { id: s.id, name: s.name, maxPrice: toBaseUnits(s.maxPrice) }]));
  const { treasury, reserve, budgetPressure, holds, approvals } = config.policy;
  const dailyLimit =
    treasury.dailyLimit !== undefined ? toBaseUnits(treasury.dailyLimit) : [...agents.values()].reduce((sum, a) => sum + a.dailyBudget, 0n);
  return {
    agents,
    services,
    x402Services,
    treasury: {
      dailyLimit,
      highReserve: applyBasisPoints(dailyLimit, toBasisPoints(reserve.highShare)),
      restrictedPriorities: new Set(reserve.restrictedPriorities),
      pressureBasisPoints: toBasisPoints(budgetPressure.fraction),
    },
    holdTtlMs: holds.ttlSeconds * 1000,
    periodLength: config.policy.period.length,
    rejectionSpike: alerts.rejectionSpike,
    approvalTtlMs: approvals.ttlSeconds * 1000,
  };
}

/** Rollover's cap; null when there is no rollover (absent, or not enabled). */
const carryOf = (rollover: { enabled: boolean; maxCarry: string } | undefined) =>
  rollover?.enabled ? toBaseUnits(rollover.maxCarry) : null;

/** An x402 service as the rules see one call to it: one variant at the price its 402 answer asked. */
export function pricedX402Service(service: CatalogX402Service, price: bigint): CatalogService {
  return {
    id: service.id,
    name: service.name,
    defaultVariant: X402_VARIANT,
    variants: [{ id: X402_VARIANT, price }],
    pressureDowngrade: false,
    maxPrice: service.maxPrice,
  };
}
