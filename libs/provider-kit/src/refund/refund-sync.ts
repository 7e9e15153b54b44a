import type { Logger } from '@nexus/service-kit';
import type { RedemptionStore } from '@nexus/stores';
import type { Refunder } from './refunder';

const SYNC_EVERY_MS = 15_000;

/** Tells the payments ledger of refunds made on chain while it was down, oldest first; stops at the first failure. Returns how many. */
export async function syncRefunds(redemptions: RedemptionStore, refunder: Refunder, logger: Logger): Promise<number> {
  let told = 0;
  for (const redemption of await redemptions.unsyncedRefunds(50)) {
    await refunder.syncLedger(redemption);
    await redemptions.markLedgerSynced(redemption.paymentId);
    logger.info('told the payments ledger of a refund', { paymentId: redemption.paymentId });
    told += 1;
  }
  return told;
}

/** Runs syncRefunds every few seconds in the background. Returns the stopper. */
export function startRefundSync(redemptions: RedemptionStore, refunder: Refunder, logger: Logger, everyMs = SYNC_EVERY_MS): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    syncRefunds(redemptions, refunder, logger)
      .catch((error: unknown) =>
        logger.warn('refunds not yet told to the payments ledger; will retry', {
          error: error instanceof Error ? error.message : String(error),
        }),
      )
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
