import { isDeepStrictEqual } from 'node:util';
import express, { type Express } from 'express';
import { LogEventBatch, type ErrorCode, type LogEvent } from '@nexus/types';

/**
 * A stand-in for the logger's POST /events, for the clients' own tests (the
 * real logger is exercised end to end in apps/logger): stores each event once
 * by id, refuses a batch holding another event under a stored id (409
 * EVENT_CONFLICT, nothing stored), and can be told to fail or hold requests.
 */
export class FakeLogger {
  readonly app: Express = express();
  /** stored events, in the order they arrived */
  readonly stored: LogEvent[] = [];
  /** every POST /events, as the ids it carried */
  readonly posts: string[][] = [];
  /** the next POSTs answer this status (503 by default), one per entry */
  readonly failures: number[] = [];
  /** while set, POSTs are held unanswered */
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(private readonly token = 'internal-token') {
    this.app.use(express.json({ limit: '5mb' }));
    this.app.post('/events', async (req, res) => {
      if (req.get('authorization') !== `Bearer ${this.token}`) return error(res, 401, 'UNAUTHORIZED', 'invalid bearer token');
      const parsed = LogEventBatch.safeParse(req.body);
      const ids = parsed.success ? parsed.data.events.map((event) => event.id) : [];
      this.posts.push(ids);
      if (this.gate) await this.gate;
      const failure = this.failures.shift();
      if (failure !== undefined)
        return error(res, failure, failure === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_ERROR', 'failing on purpose');
      if (!parsed.success) return error(res, 400, 'VALIDATION_ERROR', 'invalid request body');
      const known = new Map(this.stored.map((event) => [event.id, event]));
      const conflicting = parsed.data.events.find((event) => known.has(event.id) && !isDeepStrictEqual(known.get(event.id), event));
      if (conflicting) return error(res, 409, 'EVENT_CONFLICT', `event ${conflicting.id} is already stored with other content`);
      let accepted = 0;
      for (const event of parsed.data.events) {
        if (known.has(event.id)) continue;
        known.set(event.id, event);
        this.stored.push(event);
        accepted += 1;
      }
      res.status(accepted > 0 ? 201 : 200).json({ accepted, duplicates: parsed.data.events.length - accepted });
      this.notify();
    });
  }

  /** Resolves once at least `count` events are stored. */
  storedAtLeast(count: number): Promise<void> {
    if (this.stored.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** Holds every POST until release(). */
  hold(): void {
    this.gate ??= new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  get storedIds(): string[] {
    return this.stored.map((event) => event.id);
  }

  private notify(): void {
    const ready = this.waiters.filter((waiter) => this.stored.length >= waiter.count);
    this.waiters = this.waiters.filter((waiter) => this.stored.length < waiter.count);
    for (const waiter of ready) waiter.resolve();
  }
}

function error(res: express.Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json({ error: { code, message } });
}
