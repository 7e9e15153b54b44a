import { z } from 'zod';

/** Agent, service and variant ids: short, URL-safe, no surprises in logs. */
export const ResourceId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1-64 characters of letters, digits, "_", "." or "-"');

/** Client-given idempotency key: printable ASCII, bounded. */
export const IdempotencyKey = z.string().regex(/^[\x21-\x7E]{1,200}$/, 'must be 1-200 printable ASCII characters without spaces');

export const Timestamp = z.iso.datetime();

export const Page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable(),
  });

/** A sender's own id for an event; the logger stores an id once (a second post of it is a duplicate). */
export const EventId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'must be 1-128 characters of letters, digits, "_", ".", ":" or "-"');

/** Free text in an event: bounded, and no NUL (PostgreSQL text refuses it). */
export const EventText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => !value.includes('\u0000'), 'must not contain a NUL character');
