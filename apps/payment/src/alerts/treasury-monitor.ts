import type { LogOutbox, OutboxQueue } from '@nexus/clients';
import { describeError, type Logger } from '@nexus/service-kit';
import { fromBaseUnits, type AlertEvent } from '@nexus/types';
import type { Settler } from '../settler';

/**
 * The queue topic that remembers which treasury alerts have fired. Nothing
 * delivers it: a row is a durable "fired" mark, taken atomically (an id the
 * topic holds is not added again), so one alert per day and floor goes out
 * across restarts and replicas. Recording the alert again after a restart
 * would send the logger the same id with other content, which it refuses.
 */
export const TREASURY_ALERT_MARKS_TOPIC = 'alert-marks:treasury-low';

export interface TreasuryMonitorDeps {
  /** reads the treasury's on-chain balance (mock mode has none: nothing to watch) */
  settler: Pick<Settler, 'treasury'>;
  /** the payment service's audit outbox to the logger */
  audit: Pick<LogOutbox, 'record'>;
  /** where the fired marks are kept: the outbox store of the payment service's own database */
  marks: Pick<OutboxQueue, 'enqueue'>;
  /** base units: an alert fires when the balance is below this */
  floor: bigint;
  /** how often the balance is read */
  intervalMs: number;
  logger: Logger;
  clock?: () => Date;
}

/** `alert:treasury-low:<UTC day>:<floor>`: once per UTC day and floor. */
export const treasuryAlertId = (at: Date, floor: bigint) => `alert:treasury-low:${at.toISOString().slice(0, 10)}:${fromBaseUnits(floor)}`;

/**
 * Watches the treasury's balance in the background (at start, every
 * `intervalMs`, and soon after a chain payment) and records a critical
 * `treasury_low` alert through the audit outbox when it is below the floor.
 */
export class TreasuryMonitor {
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<AlertEvent | undefined> | undefined;
  private nudged = false;
  private closed = false;

  constructor(private readonly deps: TreasuryMonitorDeps) {
    this.now = deps.clock ?? (() => new Date());
  }

  /** Checks now, then every interval. Returns the monitor, for `new TreasuryMonitor(...).start()`. */
  start(): this {
    if (this.timer || this.closed) return this;
    this.timer = setInterval(() => this.nudge(), this.deps.intervalMs);
    this.timer.unref();
    this.nudge();
    return this;
  }

  /** Asks for a check soon (after a payment moved money); checks already asked for run once. */
  nudge(): void {
    if (this.closed) return;
    if (this.checking) {
      this.nudged = true;
      return;
    }
    void this.check();
  }

  /**
   * Reads the balance and, below the floor, records the day's alert once.
   * Answers the alert recorded by this call, if any. Never throws: a chain or
   * store that does not answer is logged and asked again next time.
   */
  check(): Promise<AlertEvent | undefined> {
    this.checking ??= this.checkOnce().finally(() => {
      this.checking = undefined;
      if (this.nudged && !this.closed) {
        this.nudged = false;
        void this.check();
      }
    });
    return this.checking;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.checking;
  }

  private async checkOnce(): Promise<AlertEvent | undefined> {
    try {
      const { balance } = await this.deps.settler.treasury();
      if (balance === null || balance >= this.deps.floor) return undefined;
      const at = this.now();
      const id = treasuryAlertId(at, this.deps.floor);
      const { added } = await this.deps.marks.enqueue(TREASURY_ALERT_MARKS_TOPIC, [{ id, payload: '' }], at);
      if (added === 0) return undefined;
      const alert: AlertEvent = {
        id,
        kind: 'alert',
        occurredAt: at.toISOString(),
        alertType: 'treasury_low',
        severity: 'critical',
        agentId: null,
        window: null,
        windowStart: null,
        thresholdPercent: null,
        spent: null,
        budget: null,
        balance: fromBaseUnits(balance),
        floor: fromBaseUnits(this.deps.floor),
        count: null,
        minutes: null,
        message: `the treasury holds ${fromBaseUnits(balance)} MNEE, below its floor of ${fromBaseUnits(this.deps.floor)}`,
      };
      await this.deps.audit.record(alert);
      this.deps.logger.warn('treasury below its floor: alert recorded', { alertId: id, balance: alert.balance, floor: alert.floor });
      return alert;
    } catch (error: unknown) {
      this.deps.logger.warn('treasury balance check failed; trying again later', { error: describeError(error) });
      return undefined;
    }
  }
}
