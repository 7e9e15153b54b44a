import type { OutboxQueue, QueueCounts, QueuedMessage, QueueEntry } from '../outbox-queue';

interface Row extends QueuedMessage {
  topic: string;
  state: 'pending' | 'dead';
  lastError: string | null;
}

/**
 * The OutboxQueue contract in memory, for the relay's own tests in this
 * library (which may not use @nexus/stores); apps/logger runs the relay on
 * the real SQLite and PostgreSQL store.
 */
export class MemoryOutboxQueue implements OutboxQueue {
  readonly rows: Row[] = [];
  private seq = 0;

  async enqueue(topic: string, entries: readonly QueueEntry[], now: Date, notBefore?: Date): Promise<{ added: number }> {
    let added = 0;
    for (const entry of entries) {
      if (this.rows.some((row) => row.topic === topic && row.id === entry.id)) continue;
      this.seq += 1;
      this.rows.push({
        seq: this.seq,
        topic,
        id: entry.id,
        payload: entry.payload,
        attempts: 0,
        nextAttemptAt: notBefore ?? now,
        state: 'pending',
        lastError: null,
      });
      added += 1;
    }
    return { added };
  }

  async due(topic: string, limit: number, now: Date): Promise<QueuedMessage[]> {
    const pending = this.pending(topic).slice(0, limit);
    const waiting = pending.findIndex((row) => row.nextAttemptAt > now);
    return (waiting === -1 ? pending : pending.slice(0, waiting)).map((row) => ({ ...row }));
  }

  async nextAttemptAt(topic: string): Promise<Date | null> {
    return this.pending(topic)[0]?.nextAttemptAt ?? null;
  }

  async remove(topic: string, seqs: readonly number[]): Promise<number> {
    let removed = 0;
    for (let index = this.rows.length - 1; index >= 0; index -= 1) {
      const row = this.rows[index];
      if (row && row.topic === topic && seqs.includes(row.seq)) {
        this.rows.splice(index, 1);
        removed += 1;
      }
    }
    return removed;
  }

  async recordFailure(topic: string, seqs: readonly number[], failure: { error: string; nextAttemptAt: Date }): Promise<void> {
    for (const row of this.pending(topic).filter((candidate) => seqs.includes(candidate.seq))) {
      row.attempts += 1;
      row.lastError = failure.error;
      row.nextAttemptAt = failure.nextAttemptAt;
    }
  }

  async deadLetter(topic: string, seqs: readonly number[], reason: string): Promise<void> {
    for (const row of this.pending(topic).filter((candidate) => seqs.includes(candidate.seq))) {
      row.state = 'dead';
      row.lastError = reason;
    }
  }

  async counts(topic: string): Promise<QueueCounts> {
    const rows = this.rows.filter((row) => row.topic === topic);
    return { pending: rows.filter((row) => row.state === 'pending').length, dead: rows.filter((row) => row.state === 'dead').length };
  }

  private pending(topic: string): Row[] {
    return this.rows.filter((row) => row.topic === topic && row.state === 'pending').sort((a, b) => a.seq - b.seq);
  }
}
