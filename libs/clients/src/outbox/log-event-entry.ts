import { type ErrorDetail, LogEvent, NexusError } from '@nexus/types';
import type { QueueEntry } from './outbox-queue';

/**
 * An event that is not the logger's contract, caught before it is stored
 * (the logger would refuse it). A sender's bug, not its caller's: left to
 * the error handler it is a 500.
 */
export class InvalidLogEventError extends NexusError {
  override readonly name = 'InvalidLogEventError';

  constructor(readonly details: ErrorDetail[]) {
    super(`not a valid log event: ${details.map((detail) => `${detail.path}: ${detail.message}`).join('; ')}`);
  }
}

/** Validates events and serialises them for the queue; every problem of every event is listed. */
export function toQueueEntries(events: readonly unknown[]): QueueEntry[] {
  const entries: QueueEntry[] = [];
  const problems: ErrorDetail[] = [];
  events.forEach((event, index) => {
    const parsed = LogEvent.safeParse(event);
    if (parsed.success) entries.push({ id: parsed.data.id, payload: JSON.stringify(parsed.data) });
    else
      problems.push(
        ...parsed.error.issues.map((issue) => ({ path: ['events', index, ...issue.path].map(String).join('.'), message: issue.message })),
      );
  });
  if (problems.length > 0) throw new InvalidLogEventError(problems);
  return entries;
}
