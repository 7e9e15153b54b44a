/**
 * Short-lived, single-use tickets that open one event stream (a browser's
 * EventSource cannot send an Authorization header). Only a ticket's sha256 is
 * kept, so the store never holds anything a reader could open a stream with.
 */
export interface NewStreamTicket {
  /** sha256 (hex) of the ticket */
  digest: string;
  /** whom it stands for: `admin` or `agent:<agentId>` */
  holder: string;
  expiresAt: Date;
}

export interface StreamTicketStore {
  issue(ticket: NewStreamTicket, now: Date): Promise<void>;
  /**
   * Uses the ticket: its holder the first time, before it expires; undefined
   * for an unknown, expired or already used ticket. One redemption wins even
   * when several race (a conditional update).
   */
  redeem(digest: string, now: Date): Promise<string | undefined>;
  /** Deletes tickets that expired before `before`; returns how many. */
  purge(before: Date): Promise<number>;
}
