import type { NexusConfig } from '@nexus/config';
import { applyBasisPoints, toBaseUnits, type Priority } from '@nexus/types';

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
}

export interface CatalogAgent {
  id: string;
  name: string;
  priority: Priority;
  dailyBudget: bigint;
  maxPerCall: bigint;
  allowedServices: string[];
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
  treasury: TreasuryRules;
  holdTtlMs: number;
  /** How long a call waits for approval (policy.yaml `approvals.ttlSeconds`); its hold lives as long. */
  approvalTtlMs: number;
}

const toBasisPoints = (fraction: number) => Math.round(fraction * 10_000);

export function buildCatalog(config: NexusConfig): PolicyCatalog {
  const agents = new Map(
    config.agents.map((a) => [
      a.id,
      {
        id: a.id,
        name: a.name ?? a.id,
        priority: a.priority,
        dailyBudget: toBaseUnits(a.dailyBudget),
        maxPerCall: toBaseUnits(a.maxPerCall),
        allowedServices: a.allowedServices,
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
  const { treasury, reserve, budgetPressure, holds, approvals } = config.policy;
  const dailyLimit =
    treasury.dailyLimit !== undefined ? toBaseUnits(treasury.dailyLimit) : [...agents.values()].reduce((sum, a) => sum + a.dailyBudget, 0n);
  return {
    agents,
    services,
    treasury: {
      dailyLimit,
      highReserve: applyBasisPoints(dailyLimit, toBasisPoints(reserve.highShare)),
      restrictedPriorities: new Set(reserve.restrictedPriorities),
      pressureBasisPoints: toBasisPoints(budgetPressure.fraction),
    },
    holdTtlMs: holds.ttlSeconds * 1000,
    approvalTtlMs: approvals.ttlSeconds * 1000,
  };
}
