/** Table shape of IMAGE_GEN's store. Integers are BIGINT (read back as bigint); times are epoch milliseconds. */
export interface ImageTables {
  images: {
    /** sha256 of `bytes`, lowercase hex: one row per distinct image, however often it was rendered */
    content_hash: string;
    format: string;
    media_type: string;
    width: bigint;
    height: bigint;
    seed: bigint;
    prompt: string;
    /** BLOB on SQLite, BYTEA on PostgreSQL */
    bytes: Buffer;
    created_at: bigint;
  };
}
