import { Counter, type Registry } from 'prom-client';

/** What the logger counts for Prometheus, beside the kit's process and HTTP metrics. */
export interface LoggerMetrics {
  /** a batch was stored: `accepted` new events, `duplicates` already there */
  stored: (accepted: number, duplicates: number) => void;
  /** a batch was refused because of ids stored with other content */
  conflicted: () => void;
}

export function createLoggerMetrics(registry: Registry): LoggerMetrics {
  const stored = new Counter({ name: 'logger_events_stored_total', help: 'Events newly stored', registers: [registry] });
  const duplicates = new Counter({
    name: 'logger_event_duplicates_total',
    help: 'Events posted again under an id already stored with the same content (accepted, not stored twice)',
    registers: [registry],
  });
  const conflicts = new Counter({
    name: 'logger_event_conflicts_total',
    help: 'Batches refused whole because an id was already stored with other content',
    registers: [registry],
  });
  return {
    stored: (accepted, repeated) => {
      stored.inc(accepted);
      duplicates.inc(repeated);
    },
    conflicted: () => conflicts.inc(),
  };
}
