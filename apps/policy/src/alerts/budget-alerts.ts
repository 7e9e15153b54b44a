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
  /**
   * Every commit of the store passes through this process (SQLite: a file
   * serves one instance), so the spend since the last check is known here and
   * a commit that leaves every window below its next threshold needs no check.
   * Several replicas (PostgreSQL) check after every commit.
   */
  soleWriter?: boolean;
}

/**
 * What the last check of an agent left to reach before an alert can fire:
 * the spend this process had seen then (`base`), the least of each window's
 * next threshold less its spend (times 100, as the thresholds compare), and
 * the end of the first window to end (a new window, a new budget).
 */
interface BudgetGate {
  base: bigint;
  headroom100: bigint | null;
  validUntil: number;
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
  /** Per agent: the committed amounts seen here, in base units (only with `soleWriter`). */
  private readonly seen = new Map<string, bigint>();
  private readonly gates = new Map<string, BudgetGate>();
  /** Moves on each `forget`: a check that read before it leaves no gate. */
  private epoch = 0;
  private draining: Promise<void> | undefined;

  constructor(private readonly deps: BudgetAlertsDeps) {}

  /**
   * The agent's spend grew by `amount` (a decimal string; unknown: undefined):
   * check its windows against their thresholds, unless this process knows no
   * threshold can have been reached since its last check.
   */
  afterSpend(agentId: string, amount?: string): void {
    if (this.deps.soleWriter && amount !== undefined && this.deps.audit) {
      const seen = (this.seen.get(agentId) ?? 0n) + toBaseUnits(amount);
      this.seen.set(agentId, seen);
      const gate = this.gates.get(agentId);
      if (
        gate &&
        this.deps.clock().getTime() < gate.validUntil &&
        (gate.headroom100 === null || (seen - gate.base) * 100n < gate.headroom100)
      )
        return;
    }
    this.schedule(`budget:${agentId}`, () => this.checkBudget(agentId));
  }

  /**
   * The agent's budgets changed (or, without an agent, the period was reset):
   * its next commit is checked whatever the last check left.
   */
  forget(agentId?: string): void {
    this.epoch += 1;
    if (agentId === undefined) this.gates.clear();
    else this.gates.delete(agentId);
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
    // Taken before the read: a commit counted here after it is in the read too, or counted again (a check too many, never one too few).
    const base = this.seen.get(agentId) ?? 0n;
    const epoch = this.epoch;
    this.gates.delete(agentId);
    const agent = await this.deps.agentOf(agentId);
    const now = this.deps.clock().toISOString();
    const alerts: AlertEvent[] = [];
    let headroom100: bigint | null = null;
    let validUntil = Number.POSITIVE_INFINITY;
    for (const window of agent.windows) {
      validUntil = Math.min(validUntil, Date.parse(window.endsAt));
      const budget = toBaseUnits(window.budget);
      const spent = toBaseUnits(window.spent);
      if (budget <= 0n) continue;
      for (const percent of this.deps.thresholdsOf(agentId)) {
        const left = budget * BigInt(percent) - spent * 100n;
        if (left > 0n) {
          // thresholds are sorted: the rest are not reached either, and this one is the window's next
          if (headroom100 === null || left < headroom100) headroom100 = left;
          break;
        }
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
    if (this.deps.soleWriter && epoch === this.epoch && !Number.isNaN(validUntil))
      this.gates.set(agentId, { base, headroom100, validUntil });
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
