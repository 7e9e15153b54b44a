import type { Kysely, Selectable } from 'kysely';
import { ApprovalStatus, NexusError } from '@nexus/types';
import { decodeKeysetCursor, encodeKeysetCursor } from '../keyset-cursor';
import type { ApprovalChange, ApprovalFilter, ApprovalRecord, ApprovalStore, NewApproval } from './approval-records';
import { ms, toDate } from './policy-rows';
import type { PolicyTables } from './policy-tables';

type ApprovalRow = Selectable<PolicyTables['policy_approvals']>;

function toApproval(row: ApprovalRow): ApprovalRecord {
  return {
    id: row.id,
    decisionId: row.decision_id,
    reservationId: row.reservation_id,
    agentId: row.agent_id,
    serviceId: row.service_id,
    variant: row.variant,
    amount: row.amount,
    status: ApprovalStatus.parse(row.status),
    input: row.input === null ? null : (JSON.parse(row.input) as Record<string, unknown>),
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
    decidedBy: row.decided_by,
    decidedAt: row.decided_at === null ? null : toDate(row.decided_at),
    reason: row.reason,
    outcome: row.outcome === null ? null : (JSON.parse(row.outcome) as unknown),
    completedAt: row.completed_at === null ? null : toDate(row.completed_at),
  };
}

/**
 * Approvals in the policy's own store. Every change of status is one guarded
 * `UPDATE … WHERE status = <expected> RETURNING`, so of two concurrent
 * answers (approve and deny) exactly one matches and the other is told who won.
 */
export function approvalStatements(db: Kysely<PolicyTables>): ApprovalStore {
  const get = async (id: string) => {
    const row = await db.selectFrom('policy_approvals').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toApproval(row) : undefined;
  };
  const lost = async (id: string): Promise<ApprovalChange> => {
    const approval = await get(id);
    return approval ? { kind: 'conflict', approval } : { kind: 'not_found' };
  };

  return {
    async createApproval(approval: NewApproval) {
      await db
        .insertInto('policy_approvals')
        .values({
          id: approval.id,
          decision_id: approval.decisionId,
          reservation_id: approval.reservationId,
          agent_id: approval.agentId,
          service_id: approval.serviceId,
          variant: approval.variant,
          amount: approval.amount,
          status: 'PENDING',
          input: approval.input === null ? null : JSON.stringify(approval.input),
          created_at: ms(approval.createdAt),
          expires_at: ms(approval.expiresAt),
          decided_by: null,
          decided_at: null,
          reason: null,
          outcome: null,
          completed_at: null,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      const stored = await get(approval.id);
      if (!stored) throw new Error(`approval ${approval.id} vanished`);
      return stored;
    },

    getApproval: get,

    async listApprovals(filter: ApprovalFilter) {
      let query = db.selectFrom('policy_approvals').selectAll();
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (filter.agentId !== undefined) query = query.where('agent_id', '=', filter.agentId);
      if (filter.serviceId !== undefined) query = query.where('service_id', '=', filter.serviceId);
      if (filter.cursor !== undefined) {
        const after = decodeKeysetCursor(filter.cursor, /[A-Za-z0-9_.:-]{1,128}/);
        query = query.where((eb) =>
          eb.or([eb('created_at', '<', after.at), eb.and([eb('created_at', '=', after.at), eb('id', '<', after.id)])]),
        );
      }
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit + 1)
        .execute();
      const items = rows.slice(0, filter.limit).map(toApproval);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > filter.limit && last ? encodeKeysetCursor(last.createdAt, last.id) : null };
    },

    async approve(id, { decidedBy, reason, now, holdExpiresAt }) {
      const approved = await db
        .transaction()
        .execute(async (trx) => {
          const row = await trx
            .updateTable('policy_approvals')
            .set({ status: 'APPROVED', decided_by: decidedBy, decided_at: ms(now), reason })
            .where('id', '=', id)
            .where('status', '=', 'PENDING')
            .where('expires_at', '>', ms(now))
            .returningAll()
            .executeTakeFirst();
          if (!row) return undefined;
          // The hold waited as long as the approval; from now it lives as long as any call's hold.
          const hold = await trx
            .updateTable('policy_reservations')
            .set({ expires_at: ms(holdExpiresAt) })
            .where('id', '=', row.reservation_id)
            .where('status', '=', 'HELD')
            .returning('id')
            .executeTakeFirst();
          if (!hold) throw new HoldGone();
          return row;
        })
        .catch((error: unknown) => {
          if (error instanceof HoldGone) return undefined;
          throw error;
        });
      return approved ? { kind: 'changed', approval: toApproval(approved) } : lost(id);
    },

    async closeApproval(id, { status, decidedBy, reason, now }) {
      const row = await db
        .updateTable('policy_approvals')
        .set({ status, decided_by: decidedBy, decided_at: ms(now), reason })
        .where('id', '=', id)
        .where('status', '=', 'PENDING')
        .returningAll()
        .executeTakeFirst();
      return row ? { kind: 'changed', approval: toApproval(row) } : lost(id);
    },

    async complete(id, { status, outcome, reason, now }) {
      const row = await db
        .updateTable('policy_approvals')
        .set({ status, outcome: JSON.stringify(outcome), completed_at: ms(now), ...(reason === null ? {} : { reason }) })
        .where('id', '=', id)
        .where('status', '=', 'APPROVED')
        .returningAll()
        .executeTakeFirst();
      return row ? { kind: 'changed', approval: toApproval(row) } : lost(id);
    },

    async overdueApprovals(now, limit) {
      const rows = await db
        .selectFrom('policy_approvals')
        .selectAll()
        .where('status', '=', 'PENDING')
        .where('expires_at', '<=', ms(now))
        .orderBy('expires_at')
        .limit(limit)
        .execute();
      return rows.map(toApproval);
    },

    async closedApprovalsStillHeld(limit) {
      const rows = await db
        .selectFrom('policy_approvals')
        .innerJoin('policy_reservations', 'policy_reservations.id', 'policy_approvals.reservation_id')
        .selectAll('policy_approvals')
        .where('policy_approvals.status', 'in', ['DENIED', 'EXPIRED'])
        .where('policy_reservations.status', '=', 'HELD')
        .orderBy('policy_approvals.decided_at')
        .limit(limit)
        .execute();
      return rows.map(toApproval);
    },
  };
}

/** The approval's hold is no longer HELD (swept or settled): nothing can be approved; the transaction rolls back. */
class HoldGone extends NexusError {
  override readonly name = 'HoldGone';
}
