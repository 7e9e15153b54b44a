import type { LogOutbox } from '@nexus/clients';
import type { Logger } from '@nexus/service-kit';
import { toBaseUnits, type Agent, type AlertEvent } from '@nexus/types';

/** How many fired alert ids the memo keeps before it starts afresh (the logger still stores each id once). */
const MEMO_LIMIT = 10_000;

export interface BudgetAlertsDeps {
  /** the policy's outbox to the logger; without it no alert is sent (unit harnesses) */
  audit: Pick<LogOutbox, 'record'> | undefined;
  /** the agent as its views show it: each window's start, budget and spend */
  agentOf: (agentId: string) => Promise<Agent>;
  /** percent thresholds of each window, per agent */
  thresholdsOf: (agentId: string) => readonly number[];
  /** an agent's REJECTED decisions since an instant */
  countRejections: (agentId: string, since: Date) => Promise<number>;
  rejectionSpike: { count: number; minutes: number };
  clock: () => Date;
  logger?: Logger;
}

/**
 * Budget-threshold and rejection-spike alerts (docs/operations.md, "Alerts").
 * Checks run after the answer, one at a time and coalesced per agent, so
 * neither a commit nor a decision waits for them; an ALLOWED decision costs
 * nothing here. Each alert's id names what it is about, so it fires once:
 * the logger stores an id once, and the memo keeps this replica from
 * sending the same id again on every commit.
 */
export class BudgetAlerts {
  private readonly fired = new Set<string>();
  private readonly due = new Map<string, () => Promise<void>>();
  private draining: Promise<void> | undefined;

  constructor(private readonly deps: BudgetAlertsDeps) {}

  /** The agent's spend grew: check its windows against their thresholds. */
  afterSpend(agentId: string): void {
    this.schedule(`budget:${agentId}`, () => this.checkBudget(agentId));
  }

  /** The agent was refused: count its recent rejections, unless this bucket's alert already fired. */
  afterRejection(agentId: string): void {
    if (this.fired.has(this.spikeId(agentId, this.deps.clock()))) return;
    this.schedule(`spike:${agentId}`, () => this.checkSpike(agentId));
  }

  /** Resolves when every check scheduled so far has run (shutdown, and tests that read the alerts). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private schedule(key: string, check: () => Promise<void>): void {
    if (!this.deps.audit) return;
    this.due.set(key, check);
    this.kick();
  }

  private kick(): void {
    if (this.draining || this.due.size === 0) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // A check scheduled after the loop saw an empty queue, before this ran, would wait for the next one else.
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    for (let next = this.due.entries().next(); !next.done; next = this.due.entries().next()) {
      const [key, check] = next.value;
      this.due.delete(key);
      try {
        await check();
      } catch (error: unknown) {
        // An alert that could not be checked now is checked again on the agent's next commit or rejection.
        this.deps.logger?.warn('alert check failed', { key, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  private async checkBudget(agentId: string): Promise<void> {
    const agent = await this.deps.agentOf(agentId);
    const now = this.deps.clock().toISOString();
    const alerts: AlertEvent[] = [];
    for (const window of agent.windows) {
      const budget = toBaseUnits(window.budget);
      const spent = toBaseUnits(window.spent);
      if (budget <= 0n) continue;
      for (const percent of this.deps.thresholdsOf(agentId)) {
        if (spent * 100n < budget * BigInt(percent)) break; // thresholds are sorted: the rest are not reached either
        const id = `alert:budget:${agentId}:${window.window}:${window.startsAt}:${percent}`;
        if (this.fired.has(id)) continue;
        alerts.push({
          id,
          kind: 'alert',
          occurredAt: now,
          alertType: 'budget_threshold',
          severity: percent >= 100 ? 'critical' : 'warning',
          agentId,
          window: window.window,
          windowStart: window.startsAt,
          thresholdPercent: percent,
          spent: window.spent,
          budget: window.budget,
          balance: null,
          floor: null,
          count: null,
          minutes: null,
          message: `${agentId} has spent ${window.spent} of its ${window.window} budget of ${window.budget} MNEE (${percent}% reached)`,
        });
      }
    }
    await this.send(alerts);
  }

  private async checkSpike(agentId: string): Promise<void> {
    const now = this.deps.clock();
    const id = this.spikeId(agentId, now);
    if (this.fired.has(id)) return;
    const { count, minutes } = this.deps.rejectionSpike;
    const seen = await this.deps.countRejections(agentId, new Date(now.getTime() - minutes * 60_000));
    if (seen < count) return;
    await this.send([
      {
        id,
        kind: 'alert',
        occurredAt: now.toISOString(),
        alertType: 'rejection_spike',
        severity: 'warning',
        agentId,
        window: null,
        windowStart: null,
        thresholdPercent: null,
        spent: null,
        budget: null,
        balance: null,
        floor: null,
        count: seen,
        minutes,
        message: `${agentId} had ${seen} calls rejected in the last ${minutes} minutes (alert at ${count})`,
      },
    ]);
  }

  /** One spike alert per agent and `minutes`-long bucket of the clock. */
  private spikeId(agentId: string, now: Date): string {
    const bucketMs = this.deps.rejectionSpike.minutes * 60_000;
    const bucket = new Date(Math.floor(now.getTime() / bucketMs) * bucketMs).toISOString();
    return `alert:rejection_spike:${agentId}:${bucket}`;
  }

  private async send(alerts: AlertEvent[]): Promise<void> {
    if (alerts.length === 0 || !this.deps.audit) return;
    await this.deps.audit.record(alerts);
    if (this.fired.size + alerts.length > MEMO_LIMIT) this.fired.clear();
    for (const alert of alerts) this.fired.add(alert.id);
  }
}
