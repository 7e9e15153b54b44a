import { Mutex } from 'async-mutex';
import type { Registry } from 'prom-client';
import { describeError, type Logger } from '@nexus/service-kit';
import { LogEvent } from '@nexus/types';
import type { LogEventSink } from '../logger-client';
import { isMisconfiguration, isRefusal, summarise } from './delivery-failure';
import { backoffDelay, DEFAULT_OUTBOX_BACKOFF, type BackoffSettings } from './outbox-backoff';
import { createOutboxMetrics, type OutboxMetrics } from './outbox-metrics';
import type { OutboxQueue, QueueCounts, QueuedMessage } from './outbox-queue';
import { toQueueEntries } from './log-event-entry';

/** The logger contract's largest batch (`LogEventBatch`). */
export const MAX_LOG_BATCH = 500;
export const LOG_OUTBOX_TOPIC = 'logger';

export interface LogOutboxOptions {
  /** the durable queue: `createOutboxStore(...)` from @nexus/stores */
  queue: OutboxQueue;
  /** where events go: a LoggerClient */
  sink: LogEventSink;
  logger: Logger;
  /** the queue's topic for these events; `logger` by default */
  topic?: string;
  /** events per POST, at most 500 (the default) */
  batchSize?: number;
  /** waits between failed attempts while the logger is down; 0.5 s doubling to 30 s by default */
  backoff?: BackoffSettings;
  /** per POST; 5 s by default */
  requestTimeoutMs?: number;
  /** how often an idle relay looks at the queue without being told of a new record (others may share a PostgreSQL queue); 5 s */
  idlePollMs?: number;
  /** for outbox_pending_messages, outbox_dead_messages and the delivery counters */
  registry?: Registry;
}

export interface CloseOptions {
  /** how long the final delivery attempt may take in all; 5 s by default. close() never waits longer. */
  timeoutMs?: number;
}

type PassMode = 'loop' | 'flush' | 'final';
type PassResult = { kind: 'caught-up' } | { kind: 'waiting'; waitMs: number } | { kind: 'failed'; waitMs: number; error: unknown };
type Readable = { message: QueuedMessage; event: LogEvent };

/** Everything pending is due when flushing: a backoff does not hold back an explicit flush. */
const END_OF_TIME = new Date(8.64e15);

/**
 * The durable way to the logger (docs/architecture.md §2 step 8). `record()` validates
 * events and writes them to the sender's own store, returning once they are
 * stored, whether or not the logger is up. A background loop delivers them
 * in order, in batches, removes what the logger acknowledged, backs off
 * exponentially (with jitter) while it is unreachable or failing, and wakes
 * at once when something is recorded. A batch the logger refuses (4xx, e.g.
 * an id already used for another event) is split until the refused events
 * are found; those are set aside as dead (kept, counted, logged) and the rest
 * goes on. Delivery is at least once; the logger stores an id once, so in
 * effect exactly once.
 */
export class LogOutbox {
  private readonly queue: OutboxQueue;
  private readonly sink: LogEventSink;
  private readonly log: Logger;
  private readonly topic: string;
  private readonly batchSize: number;
  private readonly backoff: BackoffSettings;
  private readonly requestTimeoutMs: number;
  private readonly idlePollMs: number;
  private readonly metrics: OutboxMetrics;
  /** one delivery pass at a time (the loop, flush, close) */
  private readonly mutex = new Mutex();

  private running: Promise<void> | undefined;
  private closing = false;
  private closed: Promise<void> | undefined;
  /** something was recorded since the current pass began */
  private recorded = false;
  private sleeper: { wakeOnRecord: boolean; wake: () => void } | undefined;
  /** the logger failed last time: say so when it comes back */
  private failing = false;
  private storeFailures = 0;

  constructor(options: LogOutboxOptions) {
    this.queue = options.queue;
    this.sink = options.sink;
    this.log = options.logger;
    this.topic = options.topic ?? LOG_OUTBOX_TOPIC;
    this.batchSize = Math.min(Math.max(options.batchSize ?? MAX_LOG_BATCH, 1), MAX_LOG_BATCH);
    this.backoff = options.backoff ?? DEFAULT_OUTBOX_BACKOFF;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
    this.idlePollMs = options.idlePollMs ?? 5_000;
    this.metrics = createOutboxMetrics(options.registry, this.topic, () =>
      this.closing ? Promise.resolve(undefined) : this.queue.counts(this.topic),
    );
  }

  /** Starts the delivery loop (once). Returns the outbox, for `new LogOutbox(...).start()`. */
  start(): this {
    if (!this.running && !this.closing) this.running = this.loop();
    return this;
  }

  /**
   * Validates the events and stores them in the outbox, in order, all or
   * none. Resolves once they are durable (not once delivered); throws
   * InvalidLogEventError for an event that is not the logger's contract
   * (nothing is stored then), or the store's error when it cannot write.
   * An id already waiting in the outbox is not added again.
   */
  async record(events: LogEvent | readonly LogEvent[]): Promise<{ added: number }> {
    if (this.closing) throw new Error('the log outbox is closed');
    const entries = toQueueEntries(Array.isArray(events) ? events : [events]);
    if (entries.length === 0) return { added: 0 };
    const result = await this.queue.enqueue(this.topic, entries, new Date());
    if (result.added > 0) this.wake();
    return result;
  }

  /**
   * Delivers everything pending now, backoff or not (tests, operators).
   * Throws the delivery error when the logger cannot take them; what was
   * delivered before that stays delivered.
   */
  async flush(): Promise<void> {
    if (this.closing) throw new Error('the log outbox is closed');
    const result = await this.mutex.runExclusive(() => this.pass('flush', Number.POSITIVE_INFINITY));
    if (result.kind === 'failed') throw result.error;
  }

  /** Pending and dead events in the outbox. */
  counts(): Promise<QueueCounts> {
    return this.queue.counts(this.topic);
  }

  /**
   * Stops the loop and makes one last attempt to deliver what is pending,
   * bounded by `timeoutMs`; what is left stays in the outbox for the next
   * start. Never throws, never waits longer. Close the queue's store after.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.closed ??= this.shutdown(options.timeoutMs ?? 5_000);
    return this.closed;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.closing = true;
    this.sleeper?.wake();
    const deadline = Date.now() + timeoutMs;
    const last = (async () => {
      await this.running;
      return this.mutex.runExclusive(() => this.pass('final', deadline));
    })().then(
      (result) => result,
      (error: unknown): PassResult => ({ kind: 'failed', waitMs: 0, error }),
    );
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), timeoutMs);
    });
    const outcome = await Promise.race([last, expired]);
    clearTimeout(timer);
    if (outcome === 'expired') {
      this.log.warn('log outbox closed before its final delivery finished; undelivered events stay in the outbox', { timeoutMs });
    } else if (outcome.kind !== 'caught-up') {
      const counts = await this.queue.counts(this.topic).catch(() => undefined);
      this.log.warn('log outbox closed with events undelivered; they stay in the outbox for the next start', {
        pending: counts?.pending,
        ...(outcome.kind === 'failed' ? { error: summarise(outcome.error) } : {}),
      });
    }
  }

  private async loop(): Promise<void> {
    while (!this.closing) {
      let result: PassResult;
      try {
        result = await this.mutex.runExclusive(() => this.pass('loop', Number.POSITIVE_INFINITY));
        this.storeFailures = 0;
      } catch (error: unknown) {
        // The queue itself failed (its database is down): the events are safe where they are; look again later.
        if (this.closing) break;
        this.storeFailures += 1;
        this.log.error('log outbox could not read or update its queue; trying again', { error: describeError(error) });
        result = { kind: 'waiting', waitMs: backoffDelay(this.storeFailures, this.backoff) };
      }
      if (this.closing) break;
      switch (result.kind) {
        case 'caught-up':
          await this.sleep(this.idlePollMs, { wakeOnRecord: true });
          break;
        case 'waiting':
        case 'failed':
          // New records queue up behind the ones waiting out a backoff: they do not cut the wait short.
          await this.sleep(Math.min(result.waitMs, this.idlePollMs), { wakeOnRecord: false });
          break;
      }
    }
  }

  /**
   * Delivers due batches, oldest first, until none is left, one fails, or
   * (closing) the deadline passes. `loop` honours backoffs; `flush` and
   * `final` send everything pending.
   */
  private async pass(mode: PassMode, deadline: number): Promise<PassResult> {
    this.recorded = false;
    for (;;) {
      if ((mode === 'loop' && this.closing) || Date.now() >= deadline) return { kind: 'waiting', waitMs: 0 };
      const now = new Date();
      const batch = await this.queue.due(this.topic, this.batchSize, mode === 'loop' ? now : END_OF_TIME);
      if (batch.length === 0) {
        const next = await this.queue.nextAttemptAt(this.topic);
        return next === null ? { kind: 'caught-up' } : { kind: 'waiting', waitMs: Math.max(0, next.getTime() - now.getTime()) };
      }
      const timeoutMs = Math.max(1, Math.min(this.requestTimeoutMs, deadline - Date.now()));
      const failure = await this.deliver(batch, timeoutMs);
      if (failure) return failure;
    }
  }

  private async deliver(batch: readonly QueuedMessage[], timeoutMs: number): Promise<PassResult | undefined> {
    const readable: Readable[] = [];
    const unreadable: QueuedMessage[] = [];
    for (const message of batch) {
      const event = readEvent(message.payload);
      if (event) readable.push({ message, event });
      else unreadable.push(message);
    }
    if (unreadable.length > 0) await this.setAside(unreadable, 'not a log event (unreadable payload)');
    return this.post(readable, timeoutMs);
  }

  /** Posts events in one batch; a refused batch is halved until the refused events are found and set aside. */
  private async post(items: readonly Readable[], timeoutMs: number): Promise<PassResult | undefined> {
    if (items.length === 0) return undefined;
    const messages = items.map((item) => item.message);
    try {
      await this.sink.postEvents(
        items.map((item) => item.event),
        { retry: false, timeoutMs },
      );
    } catch (error: unknown) {
      if (!isRefusal(error)) return this.postpone(messages, error);
      if (items.length === 1) {
        await this.setAside(messages, summarise(error));
        return undefined;
      }
      const half = Math.ceil(items.length / 2);
      return (await this.post(items.slice(0, half), timeoutMs)) ?? (await this.post(items.slice(half), timeoutMs));
    }
    await this.queue.remove(
      this.topic,
      messages.map((message) => message.seq),
    );
    this.metrics.delivered(messages.length);
    if (this.failing) {
      this.failing = false;
      this.log.info('logger reachable again; delivering the outbox', { delivered: messages.length });
    }
    return undefined;
  }

  private async postpone(messages: readonly QueuedMessage[], error: unknown): Promise<PassResult> {
    const failures = (messages[0]?.attempts ?? 0) + 1;
    const waitMs = backoffDelay(failures, this.backoff);
    const summary = summarise(error);
    await this.queue.recordFailure(
      this.topic,
      messages.map((message) => message.seq),
      { error: summary, nextAttemptAt: new Date(Date.now() + waitMs) },
    );
    this.metrics.failedAttempt();
    this.failing = true;
    const level = isMisconfiguration(error) ? 'error' : 'warn';
    this.log.log(level, 'could not deliver log events; they stay in the outbox and will be retried', {
      events: messages.length,
      failures,
      retryInMs: waitMs,
      error: summary,
    });
    return { kind: 'failed', waitMs, error };
  }

  private async setAside(messages: readonly QueuedMessage[], reason: string): Promise<void> {
    await this.queue.deadLetter(
      this.topic,
      messages.map((message) => message.seq),
      reason,
      new Date(),
    );
    this.metrics.deadLettered(messages.length);
    this.log.error('the logger refused log events; they are set aside as dead in the outbox', {
      eventIds: messages.map((message) => message.id),
      reason,
    });
  }

  private wake(): void {
    this.recorded = true;
    if (this.sleeper?.wakeOnRecord) this.sleeper.wake();
  }

  /** Waits `ms`; with `wakeOnRecord`, a record() ends the wait early. */
  private sleep(ms: number, { wakeOnRecord }: { wakeOnRecord: boolean }): Promise<void> {
    if (ms <= 0 || this.closing || (wakeOnRecord && this.recorded)) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeper = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      // A forgotten close() must not keep the process alive.
      timer.unref();
      this.sleeper = { wakeOnRecord, wake };
    });
  }
}

function readEvent(payload: string): LogEvent | undefined {
  try {
    const parsed = LogEvent.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
