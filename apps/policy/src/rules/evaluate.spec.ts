import type { Standing, WindowStanding } from '@nexus/stores';
import { toBaseUnits, type ReasonCode } from '@nexus/types';
import { buildCatalog, type PolicyCatalog } from '../catalog';
import { ruleTestConfig } from '../testing/fixtures';
import { evaluate, type EffectiveAgent } from './evaluate';

const catalog = buildCatalog(ruleTestConfig());
const isHigh = (agentId: string) => catalog.agents.get(agentId)?.priority === 'HIGH';

/** The standing of `agent` when each agent of `usage` has spent that much. */
function standingOf(agent: string, usage: Record<string, string>): Standing {
  const used = Object.entries(usage).map(([agentId, amount]) => ({ agentId, amount: toBaseUnits(amount) }));
  const sum = (list: typeof used) => list.reduce((total, u) => total + u.amount, 0n);
  return {
    agentSpent: sum(used.filter((u) => u.agentId === agent)),
    agentReserved: 0n,
    treasuryUsed: sum(used),
    highUsed: sum(used.filter((u) => isHigh(u.agentId))),
  };
}

/** No other period in the windows: the windows hold what the period holds. */
function windowsOf(standing: Standing): WindowStanding {
  const use = { start: new Date(0), end: new Date(0), spent: standing.agentSpent, reserved: standing.agentReserved };
  return { weekly: use, monthly: use, previousPeriod: null };
}

interface Call {
  agent: string;
  service: string;
  variant?: string;
  usage?: Record<string, string>;
  override?: Partial<EffectiveAgent>;
  from?: PolicyCatalog;
}

function decide({ agent, service, variant, usage = {}, override = {}, from = catalog }: Call) {
  const configured = from.agents.get(agent);
  return evaluate({
    agentId: agent,
    serviceId: service,
    requestedVariant: variant ?? null,
    agent: configured ? { ...configured, paused: false, carry: 0n, ...override } : undefined,
    service: from.services.get(service),
    standing: standingOf(agent, usage),
    windows: windowsOf(standingOf(agent, usage)),
    treasury: from.treasury,
  });
}

const outcome = (call: Call) => {
  const v = decide(call);
  return { action: v.action, reason: v.reason, variant: v.variant, amount: v.amount };
};

describe('policy rules, in order', () => {
  describe('rule 1: who may call what', () => {
    it.each<[string, Call, ReasonCode]>([
      ['an unknown agent', { agent: 'ghost', service: 'QUOTE' }, 'AGENT_UNKNOWN'],
      ['a paused agent', { agent: 'high', service: 'QUOTE', override: { paused: true } }, 'AGENT_PAUSED'],
      ['an unknown service', { agent: 'high', service: 'NOPE' }, 'SERVICE_UNKNOWN'],
      ['a service the agent may not use', { agent: 'quotes-only', service: 'ARCHIVE' }, 'SERVICE_NOT_ALLOWED'],
      ['an unknown variant', { agent: 'high', service: 'ARCHIVE', variant: 'deluxe' }, 'VARIANT_UNKNOWN'],
    ])('rejects %s', (_name, call, reason) => {
      expect(outcome(call)).toEqual({ action: 'REJECTED', reason, variant: null, amount: null });
    });

    it('checks the pause before anything about the service', () => {
      expect(decide({ agent: 'high', service: 'NOPE', override: { paused: true } }).reason).toBe('AGENT_PAUSED');
    });
  });

  describe('rule 2: per-call maximum', () => {
    it('downgrades to the dearest variant under the maximum', () => {
      expect(outcome({ agent: 'high', service: 'ARCHIVE', override: { maxPerCall: toBaseUnits('0.60') } })).toEqual({
        action: 'DOWNGRADED',
        reason: 'PER_CALL_LIMIT_DOWNGRADE',
        variant: 'compact',
        amount: toBaseUnits('0.50'),
      });
    });

    it('rejects when no variant fits under the maximum', () => {
      expect(outcome({ agent: 'high', service: 'COMPUTE', override: { maxPerCall: toBaseUnits('1.00') } })).toEqual({
        action: 'REJECTED',
        reason: 'PER_CALL_LIMIT_EXCEEDED',
        variant: 'standard',
        amount: toBaseUnits('1.50'),
      });
    });

    it('allows a price exactly at the maximum', () => {
      expect(decide({ agent: 'high', service: 'COMPUTE', override: { maxPerCall: toBaseUnits('1.50') } }).action).toBe('ALLOWED');
    });
  });

  describe('rule 3: daily budget', () => {
    it('downgrades when only a cheaper variant fits what is left', () => {
      expect(outcome({ agent: 'high', service: 'ARCHIVE', usage: { high: '9.40' } })).toMatchObject({
        action: 'DOWNGRADED',
        reason: 'DAILY_BUDGET_DOWNGRADE',
        variant: 'compact',
      });
    });

    it('rejects when nothing fits what is left', () => {
      expect(outcome({ agent: 'high', service: 'ARCHIVE', usage: { high: '9.95' } })).toMatchObject({
        action: 'REJECTED',
        reason: 'DAILY_BUDGET_EXCEEDED',
        variant: 'full',
      });
    });

    it('allows spending the budget to the last unit', () => {
      expect(decide({ agent: 'high', service: 'QUOTE', usage: { high: '9.95' } }).action).toBe('ALLOWED');
    });

    it('counts holds like spend', () => {
      const v = evaluate({
        agentId: 'high',
        serviceId: 'QUOTE',
        requestedVariant: null,
        agent: { ...(catalog.agents.get('high') as EffectiveAgent), paused: false, carry: 0n },
        service: catalog.services.get('QUOTE'),
        standing: {
          agentSpent: toBaseUnits('5.00'),
          agentReserved: toBaseUnits('4.96'),
          treasuryUsed: toBaseUnits('9.96'),
          highUsed: toBaseUnits('9.96'),
        },
        windows: windowsOf({ agentSpent: toBaseUnits('5.00'), agentReserved: toBaseUnits('4.96'), treasuryUsed: 0n, highUsed: 0n }),
        treasury: catalog.treasury,
      });
      expect(v.reason).toBe('DAILY_BUDGET_EXCEEDED');
    });

    it('is checked after the per-call maximum', () => {
      expect(
        decide({ agent: 'high', service: 'COMPUTE', usage: { high: '10.00' }, override: { maxPerCall: toBaseUnits('1.00') } }).reason,
      ).toBe('PER_CALL_LIMIT_EXCEEDED');
    });
  });

  describe('rule 4a: the treasury-wide daily limit, for every agent', () => {
    // limit 20.00: 19.50 used by all agents together
    const usage = { high: '5.50', medium: '9.00', low: '5.00' };

    it('rejects a HIGH call that would pass the limit although its own budget has room', () => {
      expect(outcome({ agent: 'high', service: 'COMPUTE', usage })).toMatchObject({
        action: 'REJECTED',
        reason: 'TREASURY_LIMIT_EXCEEDED',
      });
      expect(decide({ agent: 'high', service: 'COMPUTE', usage }).message).toBe(
        "COMPUTE standard costs 1.50 MNEE but only 0.50 MNEE of the treasury's 20.00 MNEE daily limit is left",
      );
    });

    it('caps MEDIUM agents that the reserve does not restrict', () => {
      expect(outcome({ agent: 'medium', service: 'COMPUTE', usage: { high: '5.00', medium: '8.00', low: '6.00' } })).toMatchObject({
        action: 'REJECTED',
        reason: 'TREASURY_LIMIT_EXCEEDED',
      });
    });

    it('downgrades when a cheaper variant still fits, and allows spending the limit to the last unit', () => {
      expect(outcome({ agent: 'high', service: 'ARCHIVE', usage })).toMatchObject({
        action: 'DOWNGRADED',
        reason: 'TREASURY_LIMIT_DOWNGRADE',
        variant: 'compact',
      });
      expect(decide({ agent: 'high', service: 'QUOTE', usage: { high: '5.95', medium: '9.00', low: '5.00' } }).action).toBe('ALLOWED');
    });
  });

  describe('rule 4b: the treasury share reserved for HIGH agents', () => {
    // limit 20.00, reserve 25% = 5.00: LOW agents may take treasury spend up to 15.00 while HIGH has used none of it.
    it('rejects a LOW call that would spend into the reserve', () => {
      expect(outcome({ agent: 'low', service: 'COMPUTE', usage: { medium: '9.00', low: '5.00' } })).toMatchObject({
        action: 'REJECTED',
        reason: 'PRIORITY_RESERVE_EXCEEDED',
      });
    });

    it('downgrades a LOW call when a cheaper variant stays out of the reserve', () => {
      expect(outcome({ agent: 'low', service: 'ARCHIVE', usage: { medium: '9.00', low: '5.50' } })).toMatchObject({
        action: 'DOWNGRADED',
        reason: 'PRIORITY_RESERVE_DOWNGRADE',
        variant: 'compact',
      });
    });

    it('lets LOW agents use what HIGH agents have already taken from the reserve', () => {
      // HIGH used 3.00 of its 5.00 reserve: 2.00 is still kept, so the ceiling for LOW is 18.00.
      expect(decide({ agent: 'low', service: 'COMPUTE', usage: { high: '3.00', medium: '8.00', low: '5.00' } }).action).toBe('ALLOWED');
      expect(decide({ agent: 'low', service: 'COMPUTE', usage: { high: '3.00', medium: '8.00', low: '5.60' } }).reason).toBe(
        'PRIORITY_RESERVE_EXCEEDED',
      );
    });

    it('does not restrict HIGH agents, nor MEDIUM ones unless configured', () => {
      const usage = { medium: '8.00', low: '6.00' };
      expect(decide({ agent: 'high', service: 'COMPUTE', usage }).action).toBe('ALLOWED');
      expect(decide({ agent: 'medium', service: 'COMPUTE', usage }).action).toBe('ALLOWED');
      const strict = buildCatalog(ruleTestConfig({ reserve: { highShare: 0.25, restrictedPriorities: ['LOW', 'MEDIUM'] } }));
      expect(decide({ agent: 'medium', service: 'COMPUTE', usage, from: strict }).reason).toBe('PRIORITY_RESERVE_EXCEEDED');
    });
  });

  describe('rule 5: budget pressure', () => {
    // budget 10.00, pressure 20%: a call that would leave less than 2.00 is downgraded.
    it('downgrades to the dearest cheaper variant that keeps the agent above the threshold', () => {
      expect(outcome({ agent: 'high', service: 'ARCHIVE', usage: { high: '7.40' } })).toEqual({
        action: 'DOWNGRADED',
        reason: 'BUDGET_PRESSURE_DOWNGRADE',
        variant: 'compact',
        amount: toBaseUnits('0.50'),
      });
    });

    it('downgrades to the cheapest variant when none keeps the agent above the threshold', () => {
      expect(outcome({ agent: 'high', service: 'ARCHIVE', usage: { high: '7.80' } })).toMatchObject({
        reason: 'BUDGET_PRESSURE_DOWNGRADE',
        variant: 'summary',
      });
    });

    it('leaves services without a cheaper variant alone', () => {
      expect(outcome({ agent: 'high', service: 'COMPUTE', usage: { high: '7.00' } })).toMatchObject({
        action: 'ALLOWED',
        reason: 'WITHIN_POLICY',
      });
    });

    it('leaves a service alone when its pressure downgrade is switched off', () => {
      const config = ruleTestConfig();
      config.services = config.services.map((s) => ({ ...s, pressureDowngrade: false }));
      expect(decide({ agent: 'high', service: 'ARCHIVE', usage: { high: '7.80' }, from: buildCatalog(config) }).action).toBe('ALLOWED');
    });
  });

  describe('rule 6', () => {
    it('allows everything else at the requested variant and price', () => {
      expect(outcome({ agent: 'high', service: 'ARCHIVE', variant: 'compact' })).toEqual({
        action: 'ALLOWED',
        reason: 'WITHIN_POLICY',
        variant: 'compact',
        amount: toBaseUnits('0.50'),
      });
    });
  });

  it('hands the store the limits to re-check when it writes the hold', () => {
    const treasuryLimit = toBaseUnits('20.00');
    expect(decide({ agent: 'high', service: 'QUOTE' }).limits).toEqual({
      agentBudget: toBaseUnits('10.00'),
      high: true,
      treasuryLimit,
      reserve: null,
      weekly: null,
      monthly: null,
    });
    expect(decide({ agent: 'medium', service: 'QUOTE' }).limits).toEqual({
      agentBudget: toBaseUnits('10.00'),
      high: false,
      treasuryLimit,
      reserve: null,
      weekly: null,
      monthly: null,
    });
    expect(decide({ agent: 'low', service: 'QUOTE', override: { dailyBudget: toBaseUnits('3.00') } }).limits).toEqual({
      agentBudget: toBaseUnits('3.00'),
      high: false,
      treasuryLimit,
      reserve: { dailyLimit: toBaseUnits('20.00'), highReserve: toBaseUnits('5.00') },
      weekly: null,
      monthly: null,
    });
    expect(decide({ agent: 'high', service: 'ARCHIVE', usage: { high: '7.40' } }).limits).not.toBeNull();
    expect(decide({ agent: 'quotes-only', service: 'ARCHIVE' }).limits).toBeNull();
  });

  it('explains every verdict in its message', () => {
    expect(decide({ agent: 'low', service: 'COMPUTE', usage: { medium: '9.00', low: '5.00' } }).message).toBe(
      'COMPUTE standard costs 1.50 MNEE and would take treasury spend (14.00 MNEE of 20.00 MNEE) into the 5.00 MNEE kept for HIGH-priority agents',
    );
    expect(decide({ agent: 'high', service: 'ARCHIVE', usage: { high: '7.40' } }).message).toBe(
      'ARCHIVE full (1.00 MNEE) would leave high under 20% of its budget; downgraded to compact (0.50 MNEE)',
    );
  });

  describe('rule 3b: weekly and monthly windows', () => {
    const at = (week: string, month: string) => {
      const weekly = {
        start: new Date('2026-03-09T00:00:00.000Z'),
        end: new Date('2026-03-16T00:00:00.000Z'),
        spent: toBaseUnits(week),
        reserved: 0n,
      };
      const monthly = {
        start: new Date('2026-03-01T00:00:00.000Z'),
        end: new Date('2026-04-01T00:00:00.000Z'),
        spent: toBaseUnits(month),
        reserved: 0n,
      };
      return { weekly, monthly, previousPeriod: null };
    };
    const windowed = (week: string, month: string, variant?: string) =>
      evaluate({
        agentId: 'high',
        serviceId: 'ARCHIVE',
        requestedVariant: variant ?? null,
        agent: {
          ...(catalog.agents.get('high') as EffectiveAgent),
          weeklyBudget: toBaseUnits('20.00'),
          monthlyBudget: toBaseUnits('50.00'),
          paused: false,
          carry: 0n,
        },
        service: catalog.services.get('ARCHIVE'),
        standing: standingOf('high', {}),
        windows: at(week, month),
        treasury: catalog.treasury,
      });

    it('refuses a call that fits the day but not the week, naming the week', () => {
      expect(windowed('19.95', '19.95', 'summary')).toMatchObject({ action: 'REJECTED', reason: 'WEEKLY_BUDGET_EXCEEDED' });
    });

    it('refuses a call that fits the day and the week but not the month, naming the month', () => {
      expect(windowed('0.00', '49.95', 'summary')).toMatchObject({ action: 'REJECTED', reason: 'MONTHLY_BUDGET_EXCEEDED' });
    });

    it('downgrades to a variant that fits every window', () => {
      expect(windowed('19.40', '19.40')).toMatchObject({ action: 'DOWNGRADED', reason: 'WEEKLY_BUDGET_DOWNGRADE', variant: 'compact' });
      expect(windowed('0.00', '49.85')).toMatchObject({ action: 'DOWNGRADED', reason: 'MONTHLY_BUDGET_DOWNGRADE', variant: 'summary' });
    });

    it('allows spending a window to its last unit, and hands the store each window with its start', () => {
      const v = windowed('19.00', '19.00');
      expect(v).toMatchObject({ action: 'ALLOWED', variant: 'full' });
      expect(v.limits).toMatchObject({
        weekly: { since: new Date('2026-03-09T00:00:00.000Z'), budget: toBaseUnits('20.00') },
        monthly: { since: new Date('2026-03-01T00:00:00.000Z'), budget: toBaseUnits('50.00') },
      });
    });

    it('adds what rollover carried to the daily budget, in the rule and in the limits', () => {
      const carried = decide({ agent: 'high', service: 'QUOTE', usage: { high: '10.00' }, override: { carry: toBaseUnits('0.05') } });
      expect(carried).toMatchObject({ action: 'ALLOWED', limits: { agentBudget: toBaseUnits('10.05') } });
      expect(decide({ agent: 'high', service: 'QUOTE', usage: { high: '10.00' } })).toMatchObject({ reason: 'DAILY_BUDGET_EXCEEDED' });
    });
  });
});
