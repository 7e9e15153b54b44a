import type { KeyObject } from 'node:crypto';
import { signGrant, type LogOutbox } from '@nexus/clients';
import { describeError, conflict, notFound, validationError, type Logger } from '@nexus/service-kit';
import {
  InvalidCursorError,
  type ApprovalChange,
  type ApprovalRecord,
  type DecisionRecord,
  type NewApproval,
  type PolicyStore,
} from '@nexus/stores';
import {
  ApprovalOutcome,
  approvalIdOf,
  fromBaseUnits,
  type Approval,
  type ApprovalCompleteRequest,
  type ApprovalEvent,
  type ApprovalGrant,
  type ApprovalList,
  type ApprovalListQuery,
  type ApprovalStatus,
  type Decision,
} from '@nexus/types';
import { decisionView } from './views';

/** Where approval events go: the policy's durable outbox to the logger. */
export type ApprovalAudit = Pick<LogOutbox, 'record'>;

export interface PolicyApprovalsDeps {
  store: PolicyStore;
  grantKey: KeyObject;
  clock: () => Date;
  /** the normal hold TTL: an approved call's hold lives this long from the approval on */
  holdTtlMs: number;
  audit?: ApprovalAudit;
  logger?: Logger;
}

/** How many overdue approvals one housekeeping round expires at most. */
const EXPIRY_BATCH = 100;

/**
 * Human approval above a threshold (docs/api.md, "Approvals"), on the
 * policy's side: the approval of a PENDING_APPROVAL decision, its answers
 * (each a guarded change of status, so concurrent answers end one way) and
 * its hold, which approve renews and deny or expiry releases.
 */
export class PolicyApprovals {
  constructor(private readonly deps: PolicyApprovalsDeps) {}

  /**
   * The approval of a PENDING_APPROVAL decision, made on its first answer and
   * found again on a replay (its id follows from the decision's).
   */
  async ensure(decision: DecisionRecord, input: Record<string, unknown> | undefined): Promise<ApprovalRecord> {
    const id = approvalIdOf(decision.id);
    const known = await this.deps.store.getApproval(id);
    if (known) return known;
    const { reservationId, variant, amount, expiresAt } = decision;
    if (reservationId === null || variant === null || amount === null || expiresAt === null)
      throw new Error(`decision ${decision.id} waits for approval without a hold`);
    const approval: NewApproval = {
      id,
      decisionId: decision.id,
      reservationId,
      agentId: decision.agentId,
      serviceId: decision.serviceId,
      variant,
      amount,
      input: input ?? null,
      createdAt: decision.createdAt,
      expiresAt,
    };
    // Recorded first: a failure after it leaves the approval to be made by the retry, which records the same event id again (stored once).
    await this.audit(
      { ...approval, status: 'PENDING', decidedAt: null, completedAt: null },
      `${decision.agentId} asked for ${fromBaseUnits(amount)} MNEE of ${decision.serviceId}: waits for approval`,
    );
    return this.deps.store.createApproval(approval);
  }

  async get(id: string): Promise<Approval> {
    return approvalView(await this.find(id));
  }

  async list(query: ApprovalListQuery): Promise<ApprovalList> {
    try {
      const page = await this.deps.store.listApprovals(query);
      return { items: page.items.map(approvalView), nextCursor: page.nextCursor };
    } catch (error: unknown) {
      if (error instanceof InvalidCursorError)
        throw validationError('invalid request query', [{ path: 'query.cursor', message: error.message }], { cause: error });
      throw error;
    }
  }

  /** PENDING → APPROVED: the hold is renewed and signed as a grant, for the caller to run the call on. */
  async approve(id: string, answer: { decidedBy: string; reason?: string | undefined }): Promise<ApprovalGrant> {
    const now = this.deps.clock();
    const change = await this.deps.store.approve(id, {
      decidedBy: answer.decidedBy,
      reason: answer.reason ?? null,
      now,
      holdExpiresAt: new Date(now.getTime() + this.deps.holdTtlMs),
    });
    const approval = changed(change, id, 'approve');
    await this.audit(approval, `approved by ${answer.decidedBy}`);
    const decision = await this.deps.store.getDecision(approval.decisionId);
    const reservation = await this.deps.store.getReservation(approval.reservationId);
    if (!decision || !reservation) throw new Error(`approval ${id} lost its decision or hold`);
    const grant = await signGrant(
      {
        decisionId: decision.id,
        reservationId: reservation.id,
        agentId: decision.agentId,
        serviceId: decision.serviceId,
        variant: reservation.variant,
        amount: fromBaseUnits(reservation.amount),
        expiresAt: reservation.expiresAt,
      },
      this.deps.grantKey,
    );
    return {
      approval: approvalView(approval),
      decision: {
        ...decisionView({ ...decision, expiresAt: reservation.expiresAt }, { simulated: false, replayed: false, grant }),
        approval: summaryOf(approval),
      },
      input: approval.input,
    };
  }

  /** PENDING → DENIED, and the hold is released: nothing is charged. */
  async deny(id: string, answer: { decidedBy: string; reason?: string | undefined }): Promise<Approval> {
    const change = await this.deps.store.closeApproval(id, {
      status: 'DENIED',
      decidedBy: answer.decidedBy,
      reason: answer.reason ?? null,
      now: this.deps.clock(),
    });
    const approval = changed(change, id, 'deny');
    await this.releaseHold(approval, `approval denied by ${answer.decidedBy}`);
    await this.audit(approval, `denied by ${answer.decidedBy}${answer.reason ? `: ${answer.reason}` : ''}`);
    return approvalView(approval);
  }

  /** APPROVED → COMPLETED or FAILED, with the approved call's answer (the gateway reports it). */
  async complete(id: string, end: ApprovalCompleteRequest): Promise<Approval> {
    const reason = end.status === 'FAILED' && 'error' in end.outcome.body ? (end.outcome.body.error?.message ?? null) : null;
    const change = await this.deps.store.complete(id, { status: end.status, outcome: end.outcome, reason, now: this.deps.clock() });
    const approval = changed(change, id, 'complete');
    await this.audit(
      approval,
      end.status === 'COMPLETED' ? 'the approved call was served' : `the approved call failed: ${reason ?? 'unknown'}`,
    );
    return approvalView(approval);
  }

  /** PENDING approvals past their time expire and their holds are released; the number expired. */
  async expireOverdue(): Promise<number> {
    const now = this.deps.clock();
    let expired = 0;
    for (const overdue of await this.deps.store.overdueApprovals(now, EXPIRY_BATCH)) {
      const change = await this.deps.store.closeApproval(overdue.id, {
        status: 'EXPIRED',
        decidedBy: 'policy',
        reason: 'nobody answered in time',
        now,
      });
      if (change.kind !== 'changed') continue; // answered meanwhile
      expired += 1;
      await this.releaseHold(change.approval, 'approval expired');
      await this.audit(change.approval, 'nobody answered in time: expired');
    }
    return expired;
  }

  /**
   * Holds of denied or expired approvals that are still held: the approval was
   * closed but the release after it failed (a crash, the store away). Released
   * now, so a closed approval never keeps its amount out of the budget.
   */
  async releaseClosedHolds(): Promise<number> {
    const stranded = await this.deps.store.closedApprovalsStillHeld(EXPIRY_BATCH);
    for (const approval of stranded) await this.releaseHold(approval, `approval ${approval.status.toLowerCase()}`);
    return stranded.length;
  }

  /** The approval as a waiting decision shows it. */
  async summaryOfDecision(decision: DecisionRecord): Promise<Decision['approval']> {
    const approval = await this.deps.store.getApproval(approvalIdOf(decision.id));
    return approval ? summaryOf(approval) : null;
  }

  private async find(id: string): Promise<ApprovalRecord> {
    const approval = await this.deps.store.getApproval(id);
    if (!approval) throw notFound('APPROVAL_NOT_FOUND', `no approval ${id}`);
    return approval;
  }

  private async releaseHold(approval: ApprovalRecord, reason: string): Promise<void> {
    // An expired hold already left the budget; a settled one has nothing left to free.
    await this.deps.store.release(approval.reservationId, this.deps.clock(), reason);
  }

  /** Every change of status goes to the audit trail (`approval:<id>:<status>`), through the durable outbox. */
  private async audit(approval: AuditedApproval, message: string): Promise<void> {
    if (!this.deps.audit) return;
    try {
      await this.deps.audit.record([approvalEvent(approval, message)]);
    } catch (error: unknown) {
      // The outbox is in our own store: failing here means the store failed, which the caller's next step will see too.
      this.deps.logger?.error('could not record an approval event', { approvalId: approval.id, error: describeError(error) });
      throw error;
    }
  }
}

/** What an approval event is made of. */
type AuditedApproval = Pick<
  ApprovalRecord,
  'id' | 'status' | 'agentId' | 'serviceId' | 'amount' | 'decisionId' | 'createdAt' | 'decidedAt' | 'completedAt'
>;

function approvalEvent(approval: AuditedApproval, message: string): ApprovalEvent {
  return {
    id: `approval:${approval.id}:${approval.status}`,
    kind: 'approval',
    occurredAt: (approval.completedAt ?? approval.decidedAt ?? approval.createdAt).toISOString(),
    approvalId: approval.id,
    status: approval.status,
    agentId: approval.agentId,
    serviceId: approval.serviceId,
    amount: fromBaseUnits(approval.amount),
    decisionId: approval.decisionId,
    message: message.slice(0, 500),
  };
}

function summaryOf(approval: ApprovalRecord): { id: string; status: ApprovalStatus; expiresAt: string } {
  return { id: approval.id, status: approval.status, expiresAt: approval.expiresAt.toISOString() };
}

export function approvalView(record: ApprovalRecord): Approval {
  const outcome = ApprovalOutcome.safeParse(record.outcome);
  return {
    id: record.id,
    status: record.status,
    decisionId: record.decisionId,
    reservationId: record.reservationId,
    agentId: record.agentId,
    serviceId: record.serviceId,
    variant: record.variant,
    amount: fromBaseUnits(record.amount),
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt.toISOString(),
    decidedBy: record.decidedBy,
    decidedAt: record.decidedAt?.toISOString() ?? null,
    reason: record.reason,
    outcome: outcome.success ? outcome.data : null,
    completedAt: record.completedAt?.toISOString() ?? null,
  };
}

/** A guarded change's approval, or the error that says why it did not happen. */
function changed(change: ApprovalChange, id: string, verb: string): ApprovalRecord {
  switch (change.kind) {
    case 'changed':
      return change.approval;
    case 'not_found':
      throw notFound('APPROVAL_NOT_FOUND', `no approval ${id}`);
    case 'conflict': {
      const { status, expiresAt } = change.approval;
      const why = status === 'PENDING' ? `it expired at ${expiresAt.toISOString()}` : `it is already ${status}`;
      throw conflict('APPROVAL_NOT_PENDING', `cannot ${verb} approval ${id}: ${why}`);
    }
  }
}
