import { StreamEvent, StreamEventType } from '@nexus/types';
import type { NexusApi } from '../api/nexus-api';

/** An event of the stream with its sequence number (the SSE `id:`), the key of its place in the log. */
export type LiveEvent = StreamEvent & { seq: string };
export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

export interface LiveStreamOptions {
  api: Pick<NexusApi, 'streamTicket'>;
  baseUrl?: string;
  onEvent: (event: LiveEvent) => void;
  onStatus: (status: LiveStatus) => void;
  /** the EventSource class (tests give their own) */
  eventSource?: typeof EventSource;
  firstRetryMs?: number;
  maxRetryMs?: number;
}

/**
 * One event stream for the console (docs/api.md, "Live operations"). EventSource sends no
 * header, so each connection opens with a single-use ticket; a dropped connection is opened
 * again with a new ticket and `after=<last seq>`, so nothing is missed and nothing repeated.
 */
export class LiveStream {
  private source: EventSource | null = null;
  private lastSeq: string | null = null;
  private retryMs: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(private readonly options: LiveStreamOptions) {
    this.retryMs = options.firstRetryMs ?? 1_000;
  }

  start(): this {
    this.options.onStatus('connecting');
    void this.open();
    return this;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    let ticket: string;
    try {
      ticket = (await this.options.api.streamTicket()).ticket;
    } catch {
      return this.retry();
    }
    if (this.stopped) return;
    const search = new URLSearchParams({ ticket });
    if (this.lastSeq !== null) search.set('after', this.lastSeq);
    const Source = this.options.eventSource ?? EventSource;
    const source = new Source(`${this.options.baseUrl ?? ''}/events/stream?${search.toString()}`);
    this.source = source;
    source.onopen = () => {
      this.retryMs = this.options.firstRetryMs ?? 1_000;
      this.options.onStatus('live');
    };
    // a ticket opens one connection: EventSource's own reconnect would reuse it, so this one opens anew
    source.onerror = () => {
      source.close();
      if (this.source === source) this.retry();
    };
    for (const type of StreamEventType.options) source.addEventListener(type, (message) => this.receive(message));
  }

  private receive(message: MessageEvent): void {
    const parsed = StreamEvent.safeParse(JSON.parse(String(message.data)));
    if (!parsed.success || message.lastEventId === '') return;
    this.lastSeq = message.lastEventId;
    this.options.onEvent({ ...parsed.data, seq: message.lastEventId });
  }

  private retry(): void {
    if (this.stopped) return;
    this.source = null;
    this.options.onStatus('reconnecting');
    this.timer = setTimeout(() => void this.open(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, this.options.maxRetryMs ?? 15_000);
  }
}
