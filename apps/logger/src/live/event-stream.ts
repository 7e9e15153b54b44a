import { once } from 'node:events';
import type { Request, Response } from 'express';
import { describeError, type Logger } from '@nexus/service-kit';
import type { LogEventStore, StreamFilter } from '@nexus/stores';
import { streamEventView } from '../views';
import type { LiveStreams } from './live-streams';
import { sseComment, sseMessage, sseRetry } from './sse-frames';

export interface EventStreamDeps {
  store: Pick<LogEventStore, 'streamAfter' | 'lastSeq'>;
  streams: LiveStreams;
  logger: Logger;
  heartbeatMs: number;
}

/** Events read from the log at once; a stream far behind reads page after page. */
const PAGE = 200;
/** The reconnection hint sent first. */
const RETRY_MS = 2_000;

/**
 * Serves one stream until the client goes (or the process stops): the log
 * after `afterSeq`, then whatever is appended, each as an SSE message whose
 * id is its seq. It reads again whenever woken, and sends a heartbeat after
 * `heartbeatMs` without anything to send.
 */
export async function serveEventStream(
  deps: EventStreamDeps,
  req: Request,
  res: Response,
  request: { afterSeq: bigint; filter: StreamFilter },
): Promise<void> {
  const bell = deps.streams.enter();
  let gone = false;
  const leave = () => {
    gone = true;
    bell.ring();
  };
  req.on('close', leave);
  res.on('close', leave);
  try {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    await write(res, sseRetry(RETRY_MS));
    let lastSent = request.afterSeq;
    while (!gone && !deps.streams.stopping) {
      bell.clear();
      const records = await deps.store.streamAfter(lastSent, request.filter, PAGE);
      for (const record of records) {
        if (gone) break;
        await write(res, sseMessage({ id: String(record.seq), event: record.type, data: streamEventView(record) }));
        lastSent = record.seq;
      }
      if (records.length === PAGE || gone) continue;
      const woken = await bell.wait(deps.heartbeatMs);
      if (!woken && !gone) await write(res, sseComment('ping'));
    }
  } catch (error: unknown) {
    // The client reconnects with the last id it got: ending here loses nothing.
    deps.logger.warn('an event stream ended on an error', { error: describeError(error) });
  } finally {
    deps.streams.leave(bell);
    req.off('close', leave);
    res.off('close', leave);
    if (!res.writableEnded) res.end();
  }
}

/** Writes, and waits for the socket to drain when the client reads slower than the log grows. */
async function write(res: Response, chunk: string): Promise<void> {
  if (res.write(chunk)) return;
  await Promise.race([once(res, 'drain'), once(res, 'close')]);
}
