import type { Selectable } from 'kysely';
import { ARCHIVE_VARIANTS, type ArchiveRecord, type ArchiveVariant } from './archive-store';
import type { ArchiveTables } from './archive-tables';

export type ArchiveRow = Selectable<ArchiveTables['archives']>;

function variantOf(value: string): ArchiveVariant {
  const variant = ARCHIVE_VARIANTS.find((candidate) => candidate === value);
  if (!variant) throw new Error(`unknown archive variant in the store: ${value}`);
  return variant;
}

export function toArchive(row: ArchiveRow): ArchiveRecord {
  return {
    id: row.id,
    paymentId: row.payment_id,
    variant: variantOf(row.variant),
    lineCount: Number(row.line_count),
    storedBytes: Number(row.stored_bytes),
    contentHash: row.content_hash,
    content: row.content,
    createdAt: new Date(Number(row.created_at)),
  };
}
