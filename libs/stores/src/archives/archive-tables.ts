/** Table shape of a LOG_ARCHIVE provider's archives. Integers are BIGINT (read back as bigint); times are epoch milliseconds. */
export interface ArchiveTables {
  archives: {
    id: string;
    /** Unique: the payment that bought the archive buys exactly one. */
    payment_id: string;
    variant: string;
    line_count: bigint;
    /** bytes of `content` (UTF-8) */
    stored_bytes: bigint;
    /** sha256 of `content`, lowercase hex */
    content_hash: string;
    /** what was kept, in its canonical JSON serialisation */
    content: string;
    created_at: bigint;
  };
}
