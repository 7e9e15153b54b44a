import { z } from 'zod';
import { Timestamp } from '../ids';
import { PaymentId } from '../payment';

/** How much one LOG_ARCHIVE call takes. The body limit of the provider (2 MB) bounds the bytes. */
export const LOG_ARCHIVE_LIMITS = {
  /** any variant */
  maxLines: 20_000,
  /** `full` keeps every line, so it takes fewer (checked before payment) */
  fullMaxLines: 5_000,
  messageMaxLength: 4_096,
  /** fields of a line beside timestamp, level and message */
  extraFieldsMax: 20,
  extraFieldNameMaxLength: 64,
  extraFieldValueMaxLength: 1_024,
  /** messages listed in a summary's `topMessages` */
  topMessages: 10,
} as const;

export const LogArchiveVariant = z.enum(['full', 'summary']);
export type LogArchiveVariant = z.infer<typeof LogArchiveVariant>;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export const LogLevel = z.enum(LOG_LEVELS);
export type LogLevel = z.infer<typeof LogLevel>;

const RESERVED_FIELDS = new Set(['timestamp', 'level', 'message']);

/**
 * One log line: an ISO 8601 timestamp, a level (any case, stored lower case),
 * a message, and up to `extraFieldsMax` more fields of strings, numbers,
 * booleans or null (request ids, hosts...), stored as given.
 */
export const LogLine = z
  .object({
    timestamp: z.iso.datetime({ offset: true }),
    level: z.string().toLowerCase().pipe(LogLevel),
    message: z.string().max(LOG_ARCHIVE_LIMITS.messageMaxLength),
  })
  .catchall(z.union([z.string().max(LOG_ARCHIVE_LIMITS.extraFieldValueMaxLength), z.number(), z.boolean(), z.null()]))
  .superRefine((line, context) => {
    const extra = Object.keys(line).filter((key) => !RESERVED_FIELDS.has(key));
    if (extra.length > LOG_ARCHIVE_LIMITS.extraFieldsMax)
      context.addIssue({
        code: 'custom',
        message: `has more than ${LOG_ARCHIVE_LIMITS.extraFieldsMax} fields beside timestamp, level and message`,
      });
    for (const key of extra)
      if (key.length === 0 || key.length > LOG_ARCHIVE_LIMITS.extraFieldNameMaxLength)
        context.addIssue({
          code: 'custom',
          path: [key],
          message: `field names must be 1-${LOG_ARCHIVE_LIMITS.extraFieldNameMaxLength} characters`,
        });
  });
export type LogLine = z.infer<typeof LogLine>;

/** LOG_ARCHIVE `input`. `full` keeps the lines (at most `fullMaxLines`); `summary` keeps only what `LogSummary` says. */
export const LogArchiveInput = z.strictObject({
  lines: z.array(LogLine).min(1).max(LOG_ARCHIVE_LIMITS.maxLines),
});
export type LogArchiveInput = z.infer<typeof LogArchiveInput>;

/** What the `summary` variant keeps of the lines. */
export const LogSummary = z.object({
  lineCount: z.number().int(),
  /** lines per level, every level named (0 when absent) */
  levels: z.record(LogLevel, z.number().int()),
  /** the earliest and latest timestamps, as submitted */
  firstTimestamp: z.string(),
  lastTimestamp: z.string(),
  distinctMessages: z.number().int(),
  /** the most frequent messages, most frequent first (ties in code-point order of the message), at most `topMessages` */
  topMessages: z.array(z.object({ message: z.string(), count: z.number().int() })),
});
export type LogSummary = z.infer<typeof LogSummary>;

/**
 * `contentHash` is the lowercase hex sha256 of the UTF-8 bytes of
 * `canonicalJson(content)`, where content is the archive's `lines` (full) or
 * `summary` (summary); `storedBytes` is that serialisation's length in bytes.
 */
const ArchiveFacts = {
  archiveId: z.string(),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  lineCount: z.number().int(),
  storedBytes: z.number().int(),
  createdAt: Timestamp,
};

/** LOG_ARCHIVE `result` of a paid call. */
export const LogArchiveReceipt = z.object({
  ...ArchiveFacts,
  variant: LogArchiveVariant,
  /** `/archives/<archiveId>`, free */
  url: z.string(),
});
export type LogArchiveReceipt = z.infer<typeof LogArchiveReceipt>;

export const LogArchiveIdParams = z.strictObject({
  id: z.string().regex(/^arc_[0-9a-f]{32}$/, 'must be an archive id (arc_ and 32 hex digits)'),
});
export type LogArchiveIdParams = z.infer<typeof LogArchiveIdParams>;

/** `GET /archives/:id` of LOG_ARCHIVE: what was stored, and its hash. */
export const LogArchive = z.discriminatedUnion('variant', [
  z.object({ ...ArchiveFacts, paymentId: PaymentId, variant: z.literal('full'), lines: z.array(LogLine) }),
  z.object({ ...ArchiveFacts, paymentId: PaymentId, variant: z.literal('summary'), summary: LogSummary }),
]);
export type LogArchive = z.infer<typeof LogArchive>;

/**
 * The one serialisation an archive's hash covers: JSON without whitespace,
 * object keys sorted by UTF-16 code units, strings and numbers as
 * `JSON.stringify` writes them. Anyone can recompute a `contentHash` with it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`cannot serialise a ${typeof value}`);
    return text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, field]) => field !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
}
