/**
 * PostgreSQL only: the decision's write and a hold's settlement, each one
 * call (one round trip, one implicit transaction) instead of BEGIN, three or
 * four statements and COMMIT. They do what record-decision.ts and
 * settle-reservation.ts do on SQLite, statement for statement, with the same
 * guards: the idempotency key's unique index decides between same-key
 * callers, and the totals move by guarded relative updates re-checked against
 * the live rows. Installed by the policy migrations; a change is a new
 * migration that replaces them.
 */

/** The SQLSTATE policy_record_decision raises when a hold no longer fits: the whole call is undone. */
export const HOLD_DOES_NOT_FIT = 'NX001';

/**
 * Inserts the decision (nothing, and 'key_taken', when its key is already
 * stored); for a hold (p_reservation_id given) also the reservation, and
 * moves the agent's and the treasury's totals. A total whose guard fails
 * raises HOLD_DOES_NOT_FIT, which undoes the decision and the reservation
 * with it: all or nothing. The treasury row, the one every hold touches, is
 * updated last, so its lock is held for the shortest time.
 */
export const RECORD_DECISION_FUNCTION = `
create or replace function policy_record_decision(
  p_id text, p_idempotency_key text, p_agent_id text, p_service_id text, p_requested_variant text,
  p_action text, p_reason text, p_message text, p_variant text, p_amount bigint, p_reservation_id text,
  p_period_id bigint, p_created_at bigint, p_expires_at bigint, p_high bigint,
  p_agent_budget bigint, p_treasury_limit bigint, p_daily_limit bigint, p_high_reserve bigint
) returns text language plpgsql as $$
begin
  insert into policy_decisions (id, idempotency_key, agent_id, service_id, requested_variant, action, reason, message,
                                variant, amount, reservation_id, period_id, created_at)
  values (p_id, p_idempotency_key, p_agent_id, p_service_id, p_requested_variant, p_action, p_reason, p_message,
          p_variant, p_amount, p_reservation_id, p_period_id, p_created_at)
  on conflict (agent_id, idempotency_key) do nothing;
  if not found then
    return 'key_taken';
  end if;
  if p_reservation_id is null then
    return 'recorded';
  end if;
  insert into policy_reservations (id, decision_id, agent_id, service_id, variant, amount, committed_amount, high,
                                   status, period_id, expires_at, created_at, settled_at, release_reason)
  values (p_reservation_id, p_id, p_agent_id, p_service_id, p_variant, p_amount, null, p_high,
          'HELD', p_period_id, p_expires_at, p_created_at, null, null);
  insert into policy_usage as u (period_id, agent_id, spent, reserved)
  values (p_period_id, p_agent_id, 0, p_amount)
  on conflict (period_id, agent_id) do update set reserved = u.reserved + p_amount
    where u.spent + u.reserved + p_amount <= p_agent_budget;
  if not found then
    raise exception 'the hold does not fit the agent''s budget' using errcode = '${HOLD_DOES_NOT_FIT}';
  end if;
  update policy_treasury
     set used = used + p_amount, high_used = high_used + (case when p_high = 1 then p_amount else 0 end)
   where period_id = p_period_id
     and used + p_amount <= p_treasury_limit
     and used + p_amount <= p_daily_limit - (case when high_used < p_high_reserve then p_high_reserve - high_used else 0 end);
  if not found then
    raise exception 'the hold does not fit the treasury' using errcode = '${HOLD_DOES_NOT_FIT}';
  end if;
  return 'recorded';
end
$$`;

/**
 * policy_record_decision with the agent's calendar windows (migration
 * 0004_budget_windows): the agent's total of the period must also keep the
 * sum over the periods started since each window's start within the
 * window's budget (p_week_budget, p_month_budget; null: no such window).
 * The other periods of a window only shrink (their holds settle at most at
 * their amount), so the lock on this period's row is all a guard needs.
 */
export const RECORD_WINDOWED_DECISION_FUNCTION = `
create or replace function policy_record_decision(
  p_id text, p_idempotency_key text, p_agent_id text, p_service_id text, p_requested_variant text,
  p_action text, p_reason text, p_message text, p_variant text, p_amount bigint, p_reservation_id text,
  p_period_id bigint, p_created_at bigint, p_expires_at bigint, p_high bigint,
  p_agent_budget bigint, p_treasury_limit bigint, p_daily_limit bigint, p_high_reserve bigint,
  p_week_since bigint, p_week_budget bigint, p_month_since bigint, p_month_budget bigint
) returns text language plpgsql as $$
begin
  insert into policy_decisions (id, idempotency_key, agent_id, service_id, requested_variant, action, reason, message,
                                variant, amount, reservation_id, period_id, created_at)
  values (p_id, p_idempotency_key, p_agent_id, p_service_id, p_requested_variant, p_action, p_reason, p_message,
          p_variant, p_amount, p_reservation_id, p_period_id, p_created_at)
  on conflict (agent_id, idempotency_key) do nothing;
  if not found then
    return 'key_taken';
  end if;
  if p_reservation_id is null then
    return 'recorded';
  end if;
  insert into policy_reservations (id, decision_id, agent_id, service_id, variant, amount, committed_amount, high,
                                   status, period_id, expires_at, created_at, settled_at, release_reason)
  values (p_reservation_id, p_id, p_agent_id, p_service_id, p_variant, p_amount, null, p_high,
          'HELD', p_period_id, p_expires_at, p_created_at, null, null);
  insert into policy_usage as u (period_id, agent_id, spent, reserved)
  values (p_period_id, p_agent_id, 0, p_amount)
  on conflict (period_id, agent_id) do update set reserved = u.reserved + p_amount
    where u.spent + u.reserved + p_amount <= p_agent_budget
      and (p_week_budget is null or u.spent + u.reserved + p_amount + ${windowOthersSql('p_week_since', 'u')} <= p_week_budget)
      and (p_month_budget is null or u.spent + u.reserved + p_amount + ${windowOthersSql('p_month_since', 'u')} <= p_month_budget);
  if not found then
    raise exception 'the hold does not fit the agent''s budget' using errcode = '${HOLD_DOES_NOT_FIT}';
  end if;
  update policy_treasury
     set used = used + p_amount, high_used = high_used + (case when p_high = 1 then p_amount else 0 end)
   where period_id = p_period_id
     and used + p_amount <= p_treasury_limit
     and used + p_amount <= p_daily_limit - (case when high_used < p_high_reserve then p_high_reserve - high_used else 0 end);
  if not found then
    raise exception 'the hold does not fit the treasury' using errcode = '${HOLD_DOES_NOT_FIT}';
  end if;
  return 'recorded';
end
$$`;

/**
 * HELD → p_status (COMMITTED or RELEASED) in one guarded update; a commit
 * also takes an EXPIRED hold. The totals follow: the hold leaves the holds
 * (an expired one already has), a commit's amount joins the spend. Returns
 * the settled reservation, or no row when none matched.
 */
export const SETTLE_FUNCTION = `
create or replace function policy_settle(
  p_id text, p_status text, p_amount bigint, p_settled_at bigint, p_reason text
) returns setof policy_reservations language plpgsql as $$
declare
  v_from text;
  v_row policy_reservations;
  v_held bigint;
  v_spent bigint;
begin
  foreach v_from in array (case when p_status = 'COMMITTED' then array['HELD', 'EXPIRED'] else array['HELD'] end) loop
    update policy_reservations
       set status = p_status,
           settled_at = p_settled_at,
           committed_amount = (case when p_status = 'COMMITTED' then coalesce(p_amount, amount) else committed_amount end),
           release_reason = (case when p_status = 'RELEASED' then p_reason else release_reason end)
     where id = p_id and status = v_from and (p_amount is null or amount >= p_amount)
    returning * into v_row;
    if found then
      v_held := (case when v_from = 'HELD' then v_row.amount else 0 end);
      v_spent := coalesce(v_row.committed_amount, 0);
      update policy_usage set reserved = reserved - v_held, spent = spent + v_spent
       where period_id = v_row.period_id and agent_id = v_row.agent_id;
      if v_held <> v_spent then
        update policy_treasury
           set used = used - (v_held - v_spent),
               high_used = high_used - (case when v_row.high = 1 then v_held - v_spent else 0 end)
         where period_id = v_row.period_id;
      end if;
      return next v_row;
      return;
    end if;
  end loop;
end
$$`;

/**
 * The agent's spend + holds in its other periods started since `since` (an
 * epoch-ms expression): with the current period's row, a window's total.
 * The same SQL on SQLite and PostgreSQL, correlated on the usage row named `row`.
 */
export function windowOthersSql(since: string, row: string): string {
  return `(select coalesce(sum(o.spent + o.reserved), 0) from policy_usage o inner join policy_periods op on op.id = o.period_id
    where o.agent_id = ${row}.agent_id and o.period_id <> ${row}.period_id and op.started_at >= ${since})`;
}
