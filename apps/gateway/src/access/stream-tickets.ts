import { createHash, randomBytes } from 'node:crypto';
import type { StreamTicketStore } from '@nexus/stores';
import type { Caller } from './caller';

/** How long a ticket opens a stream: long enough for a page to open its EventSource, too short to be worth stealing. */
export const STREAM_TICKET_TTL_MS = 60_000;

const digestOf = (ticket: string) => createHash('sha256').update(ticket).digest('hex');
const holderOf = (caller: Caller) => (caller.kind === 'admin' ? 'admin' : `agent:${caller.agentId}`);

/**
 * Single-use tickets that open one event stream for their caller (the admin,
 * or one agent): a browser's EventSource cannot send an Authorization header,
 * and a key in a URL would end up in logs and histories. Kept in the
 * gateway's store (its sha256 only), so any replica redeems them.
 */
export class StreamTickets {
  private readonly now: () => Date;
  /** an agent whose key is gone may not use a ticket it was given before */
  private readonly knownAgent: (agentId: string) => boolean;

  constructor(
    private readonly store: StreamTicketStore,
    options: { clock?: () => Date; knownAgent: (agentId: string) => boolean },
  ) {
    this.now = options.clock ?? (() => new Date());
    this.knownAgent = options.knownAgent;
  }

  async issue(caller: Caller): Promise<{ ticket: string; expiresAt: string }> {
    const ticket = `stk_${randomBytes(32).toString('base64url')}`;
    const now = this.now();
    const expiresAt = new Date(now.getTime() + STREAM_TICKET_TTL_MS);
    await this.store.issue({ digest: digestOf(ticket), holder: holderOf(caller), expiresAt }, now);
    return { ticket, expiresAt: expiresAt.toISOString() };
  }

  /** The caller a ticket stands for, once; undefined when unknown, used, expired, or for an agent that has no key any more. */
  async redeem(ticket: string): Promise<Caller | undefined> {
    if (ticket.length > 200) return undefined;
    const holder = await this.store.redeem(digestOf(ticket), this.now());
    if (holder === 'admin') return { kind: 'admin' };
    const agentId = holder?.startsWith('agent:') ? holder.slice('agent:'.length) : undefined;
    return agentId !== undefined && this.knownAgent(agentId) ? { kind: 'agent', agentId } : undefined;
  }

  purge(): Promise<number> {
    return this.store.purge(this.now());
  }
}
