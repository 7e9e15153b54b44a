import type { ApprovalStatus } from '@nexus/types';

/** One approval as the policy store keeps it (docs/api.md, "Approvals"). */
export interface ApprovalRecord {
  id: string;
  decisionId: string;
  reservationId: string;
  agentId: string;
  serviceId: string;
  variant: string;
  amount: bigint;
  status: ApprovalStatus;
  /** the provider's input of the call to run on approval; null when it was not given */
  input: Record<string, unknown> | null;
  createdAt: Date;
  expiresAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  reason: string | null;
  /** COMPLETED or FAILED: the approved call's answer, as the gateway reported it */
  outcome: unknown;
  completedAt: Date | null;
}

export type NewApproval = Pick<
  ApprovalRecord,
  'id' | 'decisionId' | 'reservationId' | 'agentId' | 'serviceId' | 'variant' | 'amount' | 'input' | 'createdAt' | 'expiresAt'
>;

/** A change of status, made only from the status it expects: concurrent answers end one way. */
export type ApprovalChange =
  | { kind: 'changed'; approval: ApprovalRecord }
  | { kind: 'not_found' }
  /** the approval is not in the status the change needs (another answer won, or it expired) */
  | { kind: 'conflict'; approval: ApprovalRecord };

export interface ApprovalFilter {
  status?: ApprovalStatus;
  agentId?: string;
  serviceId?: string;
  limit: number;
  /** from a previous page's `nextCursor` */
  cursor?: string;
}

/** The approvals part of the policy store. */
export interface ApprovalStore {
  /** Stores a new PENDING approval; the same id again keeps the first one (a replayed decision). */
  createApproval(approval: NewApproval): Promise<ApprovalRecord>;
  getApproval(id: string): Promise<ApprovalRecord | undefined>;
  /** Newest first (by createdAt, then id). Throws InvalidCursorError. */
  listApprovals(filter: ApprovalFilter): Promise<{ items: ApprovalRecord[]; nextCursor: string | null }>;
  /**
   * PENDING and not past its expiry → APPROVED, and its hold (still HELD)
   * renewed until `holdExpiresAt`, in one transaction.
   */
  approve(id: string, answer: { decidedBy: string; reason: string | null; now: Date; holdExpiresAt: Date }): Promise<ApprovalChange>;
  /** PENDING → DENIED (or EXPIRED, by the housekeeping). The caller then releases the hold. */
  closeApproval(
    id: string,
    answer: { status: 'DENIED' | 'EXPIRED'; decidedBy: string; reason: string | null; now: Date },
  ): Promise<ApprovalChange>;
  /** APPROVED → COMPLETED or FAILED, with the call's answer. */
  complete(
    id: string,
    end: { status: 'COMPLETED' | 'FAILED'; outcome: unknown; reason: string | null; now: Date },
  ): Promise<ApprovalChange>;
  /** PENDING approvals past their expiry (the housekeeping expires them), oldest first. */
  overdueApprovals(now: Date, limit: number): Promise<ApprovalRecord[]>;
  /** DENIED or EXPIRED approvals whose hold is still HELD (the release after closing them failed): the housekeeping releases them. */
  closedApprovalsStillHeld(limit: number): Promise<ApprovalRecord[]>;
}
