/** The archives of a LOG_ARCHIVE provider: written once per payment, read back by id. */

export const ARCHIVE_VARIANTS = ['full', 'summary'] as const;
export type ArchiveVariant = (typeof ARCHIVE_VARIANTS)[number];

export interface ArchiveRecord {
  id: string;
  paymentId: string;
  variant: ArchiveVariant;
  lineCount: number;
  /** bytes of `content` (UTF-8) */
  storedBytes: number;
  /** sha256 of `content`, lowercase hex */
  contentHash: string;
  /** what was kept, serialised (the provider's canonical JSON) */
  content: string;
  createdAt: Date;
}

export type NewArchive = Omit<ArchiveRecord, 'createdAt'>;

export interface ArchiveStore {
  /** Stores an archive, or returns the one its payment already bought (`created: false`). */
  save(archive: NewArchive, now: Date): Promise<{ archive: ArchiveRecord; created: boolean }>;
  get(id: string): Promise<ArchiveRecord | undefined>;
}
