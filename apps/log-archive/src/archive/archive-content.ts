import { createHash } from 'node:crypto';
import { canonicalJson, type LogArchiveVariant, type LogLine, type LogSummary } from '@nexus/types';
import { summarise } from './summarise';

/** What an archive keeps, by variant. */
export type ArchiveContent = { variant: 'full'; lines: LogLine[] } | { variant: 'summary'; summary: LogSummary };

export interface SealedContent {
  content: ArchiveContent;
  /** the canonical JSON of the lines (full) or the summary (summary): what is stored and hashed */
  serialised: string;
  /** sha256 of `serialised`, lowercase hex */
  contentHash: string;
  /** bytes of `serialised` in UTF-8 */
  storedBytes: number;
}

/** Serialises and hashes what was kept: the one serialisation anyone can recompute (`canonicalJson`). */
export function seal(content: ArchiveContent): SealedContent {
  const serialised = canonicalJson(content.variant === 'full' ? content.lines : content.summary);
  return {
    content,
    serialised,
    contentHash: createHash('sha256').update(serialised, 'utf8').digest('hex'),
    storedBytes: Buffer.byteLength(serialised, 'utf8'),
  };
}

/** Keeps the lines as they are (`full`) or only their summary. */
export function archiveContent(variant: LogArchiveVariant, lines: LogLine[]): SealedContent {
  switch (variant) {
    case 'full':
      return seal({ variant, lines });
    case 'summary':
      return seal({ variant, summary: summarise(lines) });
  }
}
