import { setTimeout as sleep } from 'node:timers/promises';
import { collect } from './collect';
import { reconcile } from './compare';
import type { ReconcileReport } from './report';
import type { ReconcileSettings } from './settings';
import type { Snapshots } from './snapshots';

export interface RunOptions {
  /** read again, once a second, while the sources disagree, for at most this long; 0: once */
  waitSeconds?: number;
  /** the collection step (tests hand in their own) */
  read?: (settings: ReconcileSettings) => Promise<Snapshots>;
}

/**
 * Collects every source and compares them. With `waitSeconds`, a
 * disagreement is read again until it clears (the last calls of a busy stack
 * may still be settling, or their events on their way to the logger) or the
 * time is up; the last report is the answer. A source that cannot be read is
 * answered at once.
 */
export async function runReconcile(settings: ReconcileSettings, options: RunOptions = {}): Promise<ReconcileReport> {
  const read = options.read ?? ((s: ReconcileSettings) => collect(s));
  const deadline = Date.now() + (options.waitSeconds ?? 0) * 1000;
  for (;;) {
    const report = reconcile(await read(settings), { staleAfterSeconds: settings.staleAfterSeconds });
    if (report.status !== 'DISAGREE' || Date.now() + 1000 > deadline) return report;
    await sleep(1000);
  }
}
