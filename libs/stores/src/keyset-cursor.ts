import { InvalidCursorError } from './payment/payment-store';

/**
 * Newest-first pages (payments, log events, policy decisions and holds): the
 * cursor is the (time, id) of the last item handed out, opaque to clients.
 */
export function encodeKeysetCursor(at: Date, id: string): string {
  return Buffer.from(`${at.getTime()}:${id}`, 'utf8').toString('base64url');
}

/** The (time in ms, id) of a cursor whose id matches `idPattern` (anchored source, no flags); InvalidCursorError otherwise. */
export function decodeKeysetCursor(cursor: string, idPattern: RegExp): { at: bigint; id: string } {
  const match = new RegExp(`^(-?\\d{1,16}):(${idPattern.source})$`).exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1] || !match[2]) throw new InvalidCursorError();
  return { at: BigInt(match[1]), id: match[2] };
}
