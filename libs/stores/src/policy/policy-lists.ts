import type { Kysely } from 'kysely';
import { decodeKeysetCursor, encodeKeysetCursor } from '../keyset-cursor';
import type { DecisionFilter, DecisionRecord, ReservationFilter, ReservationRecord } from './policy-store';
import { toDate, toDecision, toReservation } from './policy-rows';
import type { PolicyTables } from './policy-tables';

/** Newest-first pages of decisions and holds: the cursor is the (created_at, id) of the last item handed out. */

const decodeListCursor = (cursor: string) => {
  const { at, id } = decodeKeysetCursor(cursor, /[A-Za-z0-9_.:-]{1,128}/);
  return { createdAt: at, id };
};

function page<T extends { createdAt: Date; id: string }>(records: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = records.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: records.length > limit && last ? encodeKeysetCursor(last.createdAt, last.id) : null };
}

export async function listDecisions(
  db: Kysely<PolicyTables>,
  filter: DecisionFilter,
): Promise<{ items: DecisionRecord[]; nextCursor: string | null }> {
  let query = db
    .selectFrom('policy_decisions as d')
    .leftJoin('policy_reservations as r', 'r.id', 'd.reservation_id')
    .selectAll('d')
    .select('r.expires_at as hold_expires_at');
  if (filter.agentId !== undefined) query = query.where('d.agent_id', '=', filter.agentId);
  if (filter.serviceId !== undefined) query = query.where('d.service_id', '=', filter.serviceId);
  if (filter.action !== undefined) query = query.where('d.action', '=', filter.action);
  if (filter.periodId !== undefined) query = query.where('d.period_id', '=', BigInt(filter.periodId));
  if (filter.cursor !== undefined) {
    const after = decodeListCursor(filter.cursor);
    query = query.where((eb) =>
      eb.or([eb('d.created_at', '<', after.createdAt), eb.and([eb('d.created_at', '=', after.createdAt), eb('d.id', '<', after.id)])]),
    );
  }
  const rows = await query
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(filter.limit + 1)
    .execute();
  const records = rows.map(({ hold_expires_at, ...row }) => ({
    ...toDecision(row),
    expiresAt: hold_expires_at === null ? null : toDate(hold_expires_at),
  }));
  return page(records, filter.limit);
}

export async function listReservations(
  db: Kysely<PolicyTables>,
  filter: ReservationFilter,
): Promise<{ items: ReservationRecord[]; nextCursor: string | null }> {
  let query = db.selectFrom('policy_reservations').selectAll();
  if (filter.agentId !== undefined) query = query.where('agent_id', '=', filter.agentId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.periodId !== undefined) query = query.where('period_id', '=', BigInt(filter.periodId));
  if (filter.decisionId !== undefined) query = query.where('decision_id', '=', filter.decisionId);
  if (filter.cursor !== undefined) {
    const after = decodeListCursor(filter.cursor);
    query = query.where((eb) =>
      eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)])]),
    );
  }
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
  return page(rows.map(toReservation), filter.limit);
}
