import { describeError, type Logger } from '@nexus/service-kit';
import type { PolicyService } from './policy-service';

/** Sweeps expired holds and rolls the period on a timer; returns a stop function. */
export function startHousekeeping(policy: PolicyService, intervalMs: number, logger: Logger): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    policy
      .housekeeping()
      .then(({ expired }) => {
        if (expired > 0) logger.info('expired holds released', { expired });
      })
      .catch((error: unknown) => logger.error('housekeeping failed', { error: describeError(error) }))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
