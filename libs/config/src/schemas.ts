import { IANAZone } from 'luxon';
import { z } from 'zod';
import { Money, PositiveMoney, Priority, ResourceId } from '@nexus/types';

const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address');
const Fraction = z.number().min(0).max(1);
/** Percent of a budget window's budget at which an alert fires (a budget past 100% cannot be spent, so at most 100). */
const AlertThresholds = z
  .array(z.number().int().min(1).max(100))
  .min(1)
  .refine((list) => new Set(list).size === list.length, 'must not repeat a threshold');

/** The policy's alert settings when policy.yaml does not name them. */
export const DEFAULT_ALERTS = { budgetThresholds: [50, 80, 95, 100], rejectionSpike: { count: 10, minutes: 5 } };

/** Rollover of unused daily budget into the next period, up to maxCarry. */
const Rollover = z.strictObject({
  enabled: z.boolean(),
  maxCarry: Money,
});

export const AgentConfig = z.strictObject({
  id: ResourceId,
  name: z.string().min(1).optional(),
  priority: Priority,
  dailyBudget: Money,
  /** Calendar windows (policy.yaml period.timeZone; weeks start on Monday); every window the agent has must hold. */
  weeklyBudget: Money.optional(),
  monthlyBudget: Money.optional(),
  maxPerCall: Money,
  allowedServices: z.array(ResourceId).min(1),
  /** A granted call dearer than this waits for an operator's approval (docs/api.md, "Approvals"); none when absent. */
  approvalAbove: Money.optional(),
  /** The same per service; a service named here uses its own threshold instead of `approvalAbove`. */
  approvalAboveByService: z.record(ResourceId, Money).optional(),
  /** policy.yaml alerts.budgetThresholds, for this agent */
  alertThresholds: AlertThresholds.optional(),
  /** policy.yaml rollover, for this agent */
  rollover: Rollover.optional(),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

export const AgentsFile = z.strictObject({
  agents: z.array(AgentConfig).min(1),
});

export const VariantConfig = z.strictObject({
  id: ResourceId,
  price: Money,
  description: z.string().optional(),
});
export type VariantConfig = z.infer<typeof VariantConfig>;

export const ServiceConfig = z.strictObject({
  id: ResourceId,
  name: z.string().min(1),
  providerUrl: z.url({ protocol: /^https?$/ }),
  payee: Address,
  defaultVariant: ResourceId,
  variants: z.array(VariantConfig).min(1),
  /** Rule 5: may this service be downgraded to a cheaper variant under budget pressure? */
  pressureDowngrade: z.boolean().default(true),
});
export type ServiceConfig = z.infer<typeof ServiceConfig>;

/**
 * An external x402 v2 resource agents may pay (docs/x402.md, "Paying x402
 * APIs"): its price comes from its 402 answer, capped by `maxPrice`; the
 * payment goes only to `payTo`, the payee the operator checked.
 */
export const X402ServiceConfig = z.strictObject({
  id: ResourceId,
  kind: z.literal('x402'),
  name: z.string().min(1),
  description: z.string().optional(),
  url: z.url({ protocol: /^https?$/ }),
  method: z.enum(['GET', 'POST']).default('GET'),
  /** the most one call may cost; a dearer 402 answer is refused before anything is paid */
  maxPrice: PositiveMoney,
  /** the address the service's 402 answer must name as `payTo` (never taken from the service's own word) */
  payTo: Address,
  /**
   * What an agent sends: `passthrough` (any JSON object), or `{ schema }`, a JSON Schema checked before the
   * call. GET sends it as the query string, POST as the JSON body.
   */
  input: z
    .union([
      z.literal('passthrough'),
      z.strictObject({
        schema: z
          .record(z.string(), z.unknown())
          .refine((schema) => schema['type'] === 'object', 'must be a JSON Schema of `type: object` (the query string or JSON body)'),
      }),
    ])
    .default('passthrough'),
});
export type X402ServiceConfig = z.infer<typeof X402ServiceConfig>;

/** An entry of services.yaml: one of our providers (no `kind`, or `kind: provider`), or an x402 service. */
const ServiceEntry = z.preprocess(
  (entry) => (typeof entry === 'object' && entry !== null && !('kind' in entry) ? { ...entry, kind: 'provider' } : entry),
  z.discriminatedUnion('kind', [ServiceConfig.extend({ kind: z.literal('provider') }), X402ServiceConfig]),
);

export const ServicesFile = z.strictObject({
  services: z.array(ServiceEntry).min(1),
});

export const PolicySettings = z.strictObject({
  period: z.strictObject({
    length: z.enum(['daily', 'weekly', 'monthly']).default('daily'),
    timeZone: z
      .string()
      .refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as "UTC" or "Europe/Paris"')
      .default('UTC'),
  }),
  holds: z.strictObject({
    ttlSeconds: z.number().int().min(1).max(86_400),
    sweepIntervalSeconds: z.number().int().min(1).max(3_600).default(15),
  }),
  treasury: z.strictObject({
    /** Treasury-wide spend per period; the sum of the agents' budgets when absent. */
    dailyLimit: Money.optional(),
  }),
  reserve: z.strictObject({
    /** Share of the treasury's daily total kept for HIGH agents. */
    highShare: Fraction,
    /** Priorities that may not spend into the HIGH reserve. */
    restrictedPriorities: z.array(Priority.exclude(['HIGH'])).default(['LOW', 'MEDIUM']),
  }),
  budgetPressure: z.strictObject({
    /** Downgrade when the remaining budget after the call would fall below this share of the budget. */
    fraction: Fraction,
  }),
  /** Calls above an agent's approval threshold wait this long for an operator; their hold lives as long. */
  approvals: z.strictObject({ ttlSeconds: z.number().int().min(1).max(86_400).default(900) }).default({ ttlSeconds: 900 }),
  /** What the previous period left unspent joins the daily budget, up to maxCarry; off when absent or not enabled. */
  rollover: Rollover.optional(),
  /** Optional as a whole, so a config (or a fixture) that wants no say keeps the defaults (DEFAULT_ALERTS). */
  alerts: z
    .strictObject({
      /** Percent of each budget window's budget; an alert fires once per window and threshold. */
      budgetThresholds: AlertThresholds.default(DEFAULT_ALERTS.budgetThresholds),
      /** `count` REJECTED decisions of one agent within `minutes`: one alert per agent and `minutes`-long bucket. */
      rejectionSpike: z
        .strictObject({ count: z.number().int().min(1).max(100_000), minutes: z.number().int().min(1).max(1_440) })
        .default(DEFAULT_ALERTS.rejectionSpike),
      /** treasury_low: the payment service alerts (once a UTC day) when the treasury's on-chain balance is below this */
      treasuryBelow: Money.optional(),
    })
    .optional(),
});
export type PolicySettings = z.infer<typeof PolicySettings>;

export const PolicyFile = z.strictObject({ policy: PolicySettings });
