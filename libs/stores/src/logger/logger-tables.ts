import type { Generated } from 'kysely';

/** Table shape of the event log. Integers are BIGINT (read back as bigint); times are epoch milliseconds. */
export interface LoggerTables {
  log_events: {
    /** the sender's id: an event is stored once */
    id: string;
    kind: string;
    occurred_at: bigint;
    recorded_at: bigint;
    agent_id: string;
    service_id: string;
    /** decisions only */
    action: string | null;
    /** transactions only */
    status: string | null;
    reason: string | null;
    message: string | null;
    variant: string | null;
    /** base units of 10^-6 MNEE */
    amount: bigint | null;
    decision_id: string | null;
    reservation_id: string | null;
    payment_id: string | null;
    tx_hash: string | null;
    /** sha256 of the stored content: a repeated id is a duplicate when it matches, a conflict when not */
    content_hash: string;
    /** the authenticated caller that sent it (`gateway`, `payment`): no other sender may write this id */
    sender: string;
  };
  /** every stored event in the order it was stored: the stream (`seq`) and the live-operations kinds' documents */
  live_events: {
    seq: Generated<bigint>;
    /** the event's own id (log_events.id for decisions and transactions) */
    event_id: string;
    /** decision | payment | refund | alert | approval | agent */
    type: string;
    kind: string;
    occurred_at: bigint;
    recorded_at: bigint;
    agent_id: string | null;
    service_id: string | null;
    subtype: string | null;
    /** JSON of a live-operations event as sent; null for decisions and transactions (log_events holds them) */
    body: string | null;
    content_hash: string;
    sender: string;
  };
}
