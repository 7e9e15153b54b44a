import type { Logger } from '@nexus/service-kit';
import type { RedemptionStore } from '@nexus/stores';
import type { Refunder } from './refunder';

const SYNC_EVERY_MS = 15_000;

/**
 * Refunds made on chain while the payments ledger was down are told to it
 * later: every few seconds, oldest first. Returns the stopper.
 */
export function startRefundSync(redemptions: RedemptionStore, refunder: Refunder, logger: Logger, everyMs = SYNC_EVERY_MS): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      try {
        for (const redemption of await redemptions.unsyncedRefunds(50)) {
          await refunder.syncLedger(redemption);
          await redemptions.markLedgerSynced(redemption.paymentId);
          logger.info('told the payments ledger of a refund', { paymentId: redemption.paymentId });
        }
      } catch (error) {
        logger.warn('refunds not yet told to the payments ledger; will retry', {
          error: error instanceof Error ? error.message : String(error),
        });
      } finally {
        running = false;
      }
    })();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
