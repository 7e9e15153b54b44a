import { z } from 'zod';
import type { ArchiveRecord } from '@nexus/stores';
import { LogLine, LogSummary, type LogArchive } from '@nexus/types';

const StoredLines = z.array(LogLine);

/** A stored archive as `GET /archives/:id` shows it: what was kept, with its hash. */
export function toLogArchive(archive: ArchiveRecord): LogArchive {
  const facts = {
    archiveId: archive.id,
    paymentId: archive.paymentId,
    contentHash: archive.contentHash,
    lineCount: archive.lineCount,
    storedBytes: archive.storedBytes,
    createdAt: archive.createdAt.toISOString(),
  };
  const content: unknown = JSON.parse(archive.content);
  switch (archive.variant) {
    case 'full':
      return { ...facts, variant: 'full', lines: StoredLines.parse(content) };
    case 'summary':
      return { ...facts, variant: 'summary', summary: LogSummary.parse(content) };
  }
}
