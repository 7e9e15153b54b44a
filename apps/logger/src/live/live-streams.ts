import { AppError } from '@nexus/service-kit';
import { Doorbell } from './doorbell';

/**
 * The open event streams of this process: each has a doorbell, rung when the
 * log may hold something new (an append here, or a notification from
 * another process). A woken stream reads the log after the last seq it sent,
 * so order, gaps and repeats are the seq's business, never the ring's.
 */
export class LiveStreams {
  private readonly open = new Set<Doorbell>();
  private closing = false;

  constructor(private readonly maxOpen: number) {}

  /** A doorbell for a new stream; 503 when this process already serves `maxOpen` or is stopping. */
  enter(): Doorbell {
    if (this.closing) throw new AppError('SERVICE_UNAVAILABLE', 'the logger is stopping; reconnect shortly');
    if (this.open.size >= this.maxOpen)
      throw new AppError('SERVICE_UNAVAILABLE', `this logger already serves ${this.maxOpen} event streams; retry shortly`);
    const bell = new Doorbell();
    this.open.add(bell);
    return bell;
  }

  leave(bell: Doorbell): void {
    this.open.delete(bell);
  }

  get count(): number {
    return this.open.size;
  }

  get stopping(): boolean {
    return this.closing;
  }

  wakeAll(): void {
    for (const bell of this.open) bell.ring();
  }

  /** Ends every stream (they see `stopping` once woken) so a shutdown does not wait on them. */
  stop(): void {
    this.closing = true;
    this.wakeAll();
  }
}
