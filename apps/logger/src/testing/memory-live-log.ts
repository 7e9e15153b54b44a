import type { StreamEventType } from '@nexus/types';
import type { LiveEventSource } from '../webhooks/webhook-dispatcher';
import type { LiveRecord } from '../webhooks/webhook-payload';

/**
 * A live log in memory with the store's contract (streamAfter, lastSeq): the
 * webhook tests add events to it directly, numbered from 1 without gaps.
 */
export class MemoryLiveLog implements LiveEventSource {
  private readonly records: LiveRecord[] = [];

  add(type: StreamEventType, eventId: string, agentId = 'user-agent'): LiveRecord {
    const record: LiveRecord = {
      seq: BigInt(this.records.length + 1),
      type,
      eventId,
      occurredAt: new Date(),
      agentId,
      serviceId: 'IMAGE_GEN',
      event: { id: eventId, kind: type === 'decision' ? 'decision' : 'transaction', agentId, amount: '0.05' },
    };
    this.records.push(record);
    return record;
  }

  async streamAfter(afterSeq: bigint, filter: { agentId?: string; types?: StreamEventType[] }, limit: number): Promise<LiveRecord[]> {
    return this.records
      .filter((record) => record.seq > afterSeq)
      .filter((record) => !filter.agentId || record.agentId === filter.agentId)
      .filter((record) => !filter.types || filter.types.includes(record.type))
      .slice(0, limit);
  }

  async lastSeq(): Promise<bigint> {
    return BigInt(this.records.length);
  }
}
