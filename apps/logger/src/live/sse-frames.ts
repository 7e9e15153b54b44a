/**
 * The Server-Sent Events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html),
 * all of it: a message, a comment (heartbeat) and the reconnection hint.
 * `data` is JSON, which holds no raw line break, so it is one `data:` line.
 */

export interface SseMessage {
  id: string;
  event: string;
  data: unknown;
}

const oneLine = (text: string) => text.replace(/[\r\n]/g, ' ');

export const sseMessage = (message: SseMessage): string =>
  `id: ${oneLine(message.id)}\nevent: ${oneLine(message.event)}\ndata: ${JSON.stringify(message.data)}\n\n`;

/** A comment line: ignored by clients, it keeps proxies from closing an idle stream. */
export const sseComment = (text: string): string => `: ${oneLine(text)}\n\n`;

/** How long a client waits before it reconnects. */
export const sseRetry = (ms: number): string => `retry: ${Math.max(0, Math.round(ms))}\n\n`;
