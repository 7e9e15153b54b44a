import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { request } from 'undici';

/** An open Server-Sent Events stream, read as it comes (tests). */
export interface SseStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** every message so far, in order */
  messages: EventSourceMessage[];
  /** every comment line so far (heartbeats) */
  comments: string[];
  /** the body when the answer is not a stream (an error) */
  text: () => string;
  /** resolves once `check` holds on what arrived, or rejects after `timeoutMs` */
  until: (what: string, check: (stream: SseStream) => boolean, timeoutMs?: number) => Promise<void>;
  /** true once the server ended the stream */
  ended: () => boolean;
  close: () => void;
}

/** Opens `url` as an event stream with undici (not buffered) and parses it with eventsource-parser as it arrives. */
export async function openSseStream(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController();
  const answer = await request(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal, bodyTimeout: 0 });
  let raw = '';
  let done = false;
  const listeners = new Set<() => void>();
  const stream: SseStream = {
    status: answer.statusCode,
    headers: answer.headers,
    messages: [],
    comments: [],
    text: () => raw,
    until: (what, check, timeoutMs = 5_000) =>
      new Promise<void>((resolve, reject) => {
        if (check(stream)) return resolve();
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${stream.messages.length} messages`));
        }, timeoutMs);
        const listener = () => {
          if (!check(stream)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve();
        };
        listeners.add(listener);
      }),
    ended: () => done,
    close: () => abort.abort(),
  };
  const parser = createParser({
    onEvent: (message) => stream.messages.push(message),
    onComment: (comment) => stream.comments.push(comment),
  });
  const decoder = new TextDecoder();
  answer.body.on('data', (bytes: Buffer) => {
    const chunk = decoder.decode(bytes, { stream: true });
    raw += chunk;
    parser.feed(chunk);
    for (const listener of [...listeners]) listener();
  });
  const finish = () => {
    done = true;
    for (const listener of [...listeners]) listener();
  };
  answer.body.on('end', finish);
  answer.body.on('error', finish);
  answer.body.on('close', finish);
  return stream;
}
