import { Counter, type Registry } from 'prom-client';

/** What LOG_ARCHIVE counts for Prometheus, beside the kit's HTTP and paywall metrics. */
export interface LogArchiveMetrics {
  archived: (variant: string, lines: number, storedBytes: number) => void;
  read: (found: boolean) => void;
}

export function createLogArchiveMetrics(registry: Registry): LogArchiveMetrics {
  const archives = new Counter({
    name: 'log_archive_archives_total',
    help: 'Archives stored, by variant',
    labelNames: ['variant'] as const,
    registers: [registry],
  });
  const lines = new Counter({
    name: 'log_archive_lines_total',
    help: 'Log lines submitted to paid archives, by variant',
    labelNames: ['variant'] as const,
    registers: [registry],
  });
  const bytes = new Counter({
    name: 'log_archive_stored_bytes_total',
    help: 'Bytes stored (canonical JSON), by variant',
    labelNames: ['variant'] as const,
    registers: [registry],
  });
  const reads = new Counter({
    name: 'log_archive_reads_total',
    help: 'Archive reads, by whether the archive was found',
    labelNames: ['found'] as const,
    registers: [registry],
  });
  return {
    archived: (variant, count, storedBytes) => {
      archives.inc({ variant });
      lines.inc({ variant }, count);
      bytes.inc({ variant }, storedBytes);
    },
    read: (found) => reads.inc({ found: String(found) }),
  };
}
