/** Table shape of the gateway's stream tickets. Times are epoch milliseconds (BIGINT, read back as bigint). */
export interface StreamTicketTables {
  stream_tickets: {
    /** the sha256 (hex) of the ticket: the ticket itself is never stored */
    digest: string;
    /** whom the ticket stands for: `admin` or `agent:<agentId>` */
    holder: string;
    created_at: bigint;
    /** not redeemable from this instant on */
    expires_at: bigint;
    /** set by the one redemption a ticket allows */
    used_at: bigint | null;
  };
}
