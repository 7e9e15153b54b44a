/** Table shapes of the policy store. Every integer column is BIGINT and read back as bigint; times are epoch milliseconds. */
export interface PolicyTables {
  policy_state: {
    id: bigint;
    period_id: bigint;
  };
  policy_periods: {
    id: bigint;
    started_at: bigint;
    ends_at: bigint;
    reason: string;
  };
  policy_agents: {
    id: string;
    /** Admin overrides of the configured values; null means "as configured". */
    daily_budget: bigint | null;
    max_per_call: bigint | null;
    /** Window overrides: `*_set` 0 "as configured"; 1 the value, where null means "no window". */
    weekly_budget: bigint | null;
    weekly_budget_set: bigint;
    monthly_budget: bigint | null;
    monthly_budget_set: bigint;
    paused: bigint;
    updated_at: bigint;
    /** 0005_approvals: the admin's approval threshold; used only when approval_above_set is 1 (null then means "none"). */
    approval_above: bigint | null;
    approval_above_set: bigint;
  };
  policy_decisions: {
    id: string;
    idempotency_key: string;
    agent_id: string;
    service_id: string;
    requested_variant: string | null;
    action: string;
    reason: string;
    message: string;
    variant: string | null;
    amount: bigint | null;
    reservation_id: string | null;
    period_id: bigint;
    created_at: bigint;
  };
  policy_usage: {
    period_id: bigint;
    agent_id: string;
    /** Committed amounts. */
    spent: bigint;
    /** Amounts of HELD reservations (expired ones leave when swept, which every decision does first). */
    reserved: bigint;
  };
  /** Treasury-wide running totals of a period: one row, the one every hold must fit. */
  policy_treasury: {
    period_id: bigint;
    /** Spend + holds of every agent. */
    used: bigint;
    /** The part of `used` by HIGH agents. */
    high_used: bigint;
  };
  policy_reservations: {
    id: string;
    decision_id: string;
    agent_id: string;
    service_id: string;
    variant: string;
    amount: bigint;
    committed_amount: bigint | null;
    /** 1 when the hold counts as HIGH-priority use of the treasury. */
    high: bigint;
    status: string;
    period_id: bigint;
    expires_at: bigint;
    created_at: bigint;
    settled_at: bigint | null;
    release_reason: string | null;
  };
  /** 0005_approvals: calls above an agent's threshold, waiting for (or answered by) an operator. */
  policy_approvals: {
    id: string;
    decision_id: string;
    reservation_id: string;
    agent_id: string;
    service_id: string;
    variant: string;
    amount: bigint;
    status: string;
    /** JSON of the provider's input to run on approval */
    input: string | null;
    created_at: bigint;
    expires_at: bigint;
    decided_by: string | null;
    decided_at: bigint | null;
    reason: string | null;
    /** JSON of the approved call's answer */
    outcome: string | null;
    completed_at: bigint | null;
  };
}
