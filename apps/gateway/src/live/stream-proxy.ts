import type { Response } from 'express';
import type { EventStreamQuery, LoggerClient } from '@nexus/clients';
import { AppError, describeError, type Logger } from '@nexus/service-kit';
import { ErrorBody } from '@nexus/types';

/**
 * The gateway's open event streams, each piped from a stream of the logger:
 * closing one side closes the other, and a stopping gateway closes them all
 * (the clients reconnect, with Last-Event-ID, to another replica or to it
 * once it is back).
 */
export class StreamProxies {
  private readonly open = new Set<AbortController>();

  constructor(private readonly deps: { logs: Pick<LoggerClient, 'openStream'>; logger: Logger }) {}

  get count(): number {
    return this.open.size;
  }

  /** Pipes the logger's stream for `query` to `res` until either side ends. */
  async pipe(res: Response, query: EventStreamQuery, requestId: string | undefined): Promise<void> {
    const abort = new AbortController();
    this.open.add(abort);
    const leave = () => abort.abort();
    res.on('close', leave);
    try {
      const upstream = await this.deps.logs.openStream(query, { signal: abort.signal, requestId });
      if (upstream.status !== 200) {
        // The logger said no (a bad Last-Event-ID, too many streams): its error, as the gateway's.
        const text = await upstream.body.text();
        const error = ErrorBody.safeParse(safeJson(text));
        if (!error.success || upstream.status < 400)
          throw new AppError('UPSTREAM_ERROR', `the logger answered the event stream with ${upstream.status}`);
        res.status(upstream.status).json(error.data);
        return;
      }
      res.status(200);
      res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      res.setHeader('Cache-Control', 'no-cache, no-transform');
      res.setHeader('X-Accel-Buffering', 'no');
      res.flushHeaders();
      await new Promise<void>((resolve) => {
        upstream.body.on('error', () => resolve());
        upstream.body.on('end', () => resolve());
        upstream.body.on('close', () => resolve());
        upstream.body.pipe(res, { end: false });
      });
    } catch (error: unknown) {
      if (abort.signal.aborted) return;
      if (!res.headersSent) throw error;
      this.deps.logger.warn('an event stream from the logger broke', { error: describeError(error) });
    } finally {
      res.off('close', leave);
      abort.abort();
      this.open.delete(abort);
      if (res.headersSent && !res.writableEnded) res.end();
    }
  }

  /** Ends every open stream (as shutdown starts). */
  stop(): void {
    for (const abort of this.open) abort.abort();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
