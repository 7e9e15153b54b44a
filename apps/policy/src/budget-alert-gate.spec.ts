import { fromBaseUnits, toBaseUnits, type Agent, type AlertEvent } from '@nexus/types';
import { BudgetAlerts } from './alerts/budget-alerts';

/**
 * The budget alert check is skipped while the commits this process has seen
 * since the last check leave every window below its next threshold (a store
 * serving this process alone), and still runs, and fires, when a commit
 * reaches one. A daily budget of 10.00 and a weekly one of 20.00: each call
 * of 1.00 is 10% of the day and 5% of the week.
 */
describe('budget alert checks with a sole writer', () => {
  const day = { startsAt: '2026-05-04T00:00:00.000Z', endsAt: '2026-05-05T00:00:00.000Z' };
  const week = { startsAt: '2026-05-04T00:00:00.000Z', endsAt: '2026-05-11T00:00:00.000Z' };

  function harness(options: { soleWriter: boolean }) {
    let now = new Date('2026-05-04T12:00:00.000Z');
    let spent = 0n;
    let dailyBudget = '10.00';
    let reads = 0;
    const sent: AlertEvent[] = [];
    const window = (name: 'daily' | 'weekly', bounds: typeof day, budget: string) => ({
      window: name,
      ...bounds,
      budget,
      spent: fromBaseUnits(spent),
      reserved: '0.00',
      remaining: fromBaseUnits(toBaseUnits(budget) - spent),
    });
    const alerts = new BudgetAlerts({
      audit: { record: async (events) => ({ added: sent.push(...(events as AlertEvent[])) }) },
      agentOf: async () => {
        reads += 1;
        return { id: 'high', windows: [window('daily', day, dailyBudget), window('weekly', week, '20.00')] } as unknown as Agent;
      },
      thresholdsOf: () => [50, 80, 95, 100],
      countRejections: async () => 0,
      rejectionSpike: { count: 3, minutes: 5 },
      clock: () => now,
      soleWriter: options.soleWriter,
    });
    /** `count` commits of 1.00, each followed by its alert check (as the policy does after a commit). */
    const commit = async (count: number) => {
      for (let n = 0; n < count; n += 1) {
        spent += toBaseUnits('1.00');
        alerts.afterSpend('high', '1.00');
        await alerts.flush();
      }
    };
    return {
      alerts,
      commit,
      reads: () => reads,
      fired: () => sent.map((a) => `${a.window}:${a.thresholdPercent}`),
      setNow: (at: string) => (now = new Date(at)),
      setDailyBudget: (budget: string) => (dailyBudget = budget),
    };
  }

  it('reads the agent only when a commit may reach a threshold, and fires as often as checking after every commit', async () => {
    const gated = harness({ soleWriter: true });
    const always = harness({ soleWriter: false });
    for (const h of [gated, always]) {
      await h.commit(4); // 40% of the day: nothing
      expect(h.fired()).toEqual([]);
      await h.commit(1); // 50%
      expect(h.fired()).toEqual(['daily:50']);
      await h.commit(2); // 70%: nothing new
      await h.commit(1); // 80%
      await h.commit(2); // 100% of the day, 50% of the week
      expect(h.fired()).toEqual(['daily:50', 'daily:80', 'daily:95', 'daily:100', 'weekly:50']);
    }
    expect(always.reads()).toBe(10);
    // The first commit (nothing known yet), then the commits at 50%, 80% and 100% of the day (at 90%, 95% is still 0.50 away).
    expect(gated.reads()).toBe(4);
  });

  it('checks again at a new window and after a budget change, even below the last known threshold', async () => {
    const h = harness({ soleWriter: true });
    await h.commit(1); // 10%: read, nothing
    await h.commit(1); // 20%: skipped
    expect(h.reads()).toBe(1);

    // The admin lowers the daily budget to 4.00: 3.00 is 75%, past 50%, though the old budget's 50% (5.00) is not reached.
    h.setDailyBudget('4.00');
    h.alerts.forget('high');
    await h.commit(1);
    expect(h.reads()).toBe(2);
    expect(h.fired()).toEqual(['daily:50']);

    // The window the last check saw has ended: the next commit is checked whatever it adds.
    await h.commit(0);
    const before = h.reads();
    h.setNow('2026-05-05T00:00:00.000Z');
    await h.commit(1);
    expect(h.reads()).toBe(before + 1);
  });
});
