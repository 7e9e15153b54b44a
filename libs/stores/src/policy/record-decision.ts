import type { Kysely } from 'kysely';
import type { DecideCommand, HoldLimits, PeriodRecord, Verdict } from './policy-store';
import { ms } from './policy-rows';
import type { PolicyTables } from './policy-tables';
import { takeHold } from './policy-usage';

/** A hold that no longer fits its limits when written: the transaction rolls back. */
class HoldDoesNotFit extends Error {
  override readonly name = 'HoldDoesNotFit';
}

/**
 * Stores the decision and, for a hold, the reservation and the totals, in one
 * transaction. The idempotency key's unique index and the guarded total
 * updates decide between concurrent callers; nothing is locked in advance.
 */
export async function recordDecision(
  db: Kysely<PolicyTables>,
  command: DecideCommand,
  verdict: Verdict,
  period: PeriodRecord,
): Promise<'recorded' | 'key_taken' | 'does_not_fit'> {
  const hold = holdOf(verdict);
  const createdAt = ms(command.now);
  try {
    return await db.transaction().execute(async (trx) => {
      const stored = await trx
        .insertInto('policy_decisions')
        .values({
          id: command.decisionId,
          idempotency_key: command.idempotencyKey,
          agent_id: command.agentId,
          service_id: command.serviceId,
          requested_variant: command.requestedVariant,
          action: verdict.action,
          reason: verdict.reason,
          message: verdict.message,
          variant: verdict.variant,
          amount: verdict.amount,
          reservation_id: hold ? command.reservationId : null,
          period_id: BigInt(period.id),
          created_at: createdAt,
        })
        .onConflict((oc) => oc.columns(['agent_id', 'idempotency_key']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!stored) return 'key_taken';
      if (!hold) return 'recorded';
      await trx
        .insertInto('policy_reservations')
        .values({
          id: command.reservationId,
          decision_id: command.decisionId,
          agent_id: command.agentId,
          service_id: command.serviceId,
          variant: hold.variant,
          amount: hold.amount,
          committed_amount: null,
          high: hold.limits.high ? 1n : 0n,
          status: 'HELD',
          period_id: BigInt(period.id),
          expires_at: ms(expiryOf(command)),
          created_at: createdAt,
          settled_at: null,
          release_reason: null,
        })
        .execute();
      if (!(await takeHold(trx, period.id, command.agentId, hold.amount, hold.limits))) throw new HoldDoesNotFit();
      return 'recorded';
    });
  } catch (error: unknown) {
    if (error instanceof HoldDoesNotFit) return 'does_not_fit';
    throw error;
  }
}

export function holdOf(verdict: Verdict): { variant: string; amount: bigint; limits: HoldLimits } | null {
  return verdict.action !== 'REJECTED' && verdict.variant !== null && verdict.amount !== null && verdict.limits !== null
    ? { variant: verdict.variant, amount: verdict.amount, limits: verdict.limits }
    : null;
}

export const expiryOf = (command: DecideCommand) => new Date(command.now.getTime() + command.holdTtlMs);
