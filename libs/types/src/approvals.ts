import { z } from 'zod';
import { InvokeAnswer, InvokeFailureBody, PublicDecision } from './gateway';
import { Page, ResourceId, Timestamp } from './ids';
import { ApprovalStatus } from './live-events';
import { Money } from './money';
import { Decision } from './policy';

/**
 * Human approval above a threshold (docs/api.md, "Approvals"). A granted call
 * dearer than the agent's `approvalAbove` is decided PENDING_APPROVAL: its
 * amount is held and an approval waits for an operator. Approve runs the call
 * (pay, provider, commit) and keeps its answer; deny or expiry releases the hold.
 */

export const ApprovalId = z.string().regex(/^apr_[0-9a-z_]{1,64}$/, 'is not a valid approval id');

/** An approval's id follows from its decision's, so the decision's idempotency key replays to the same approval. */
export const approvalIdOf = (decisionId: string): string => `apr_${decisionId.replace(/^dec_/, '')}`;

/** What the invoke answer of a waiting call says about its approval. */
export const ApprovalSummary = z.object({
  id: z.string(),
  status: ApprovalStatus,
  expiresAt: Timestamp,
});
export type ApprovalSummary = z.infer<typeof ApprovalSummary>;

/** The answer the approved call came to: the invoke answer, or its error body. */
export const ApprovalOutcome = z.object({
  status: z.number().int(),
  body: z.union([InvokeAnswer, InvokeFailureBody]),
});
export type ApprovalOutcome = z.infer<typeof ApprovalOutcome>;

export const Approval = z.object({
  id: z.string(),
  status: ApprovalStatus,
  decisionId: z.string(),
  reservationId: z.string(),
  agentId: z.string(),
  serviceId: z.string(),
  /** the variant held (and run on approval) */
  variant: z.string(),
  amount: Money,
  createdAt: Timestamp,
  /** a PENDING approval past this expires and its hold is released */
  expiresAt: Timestamp,
  /** who approved or denied ("admin", "policy" for an expiry) */
  decidedBy: z.string().nullable(),
  decidedAt: Timestamp.nullable(),
  /** why it was denied, expired or failed */
  reason: z.string().nullable(),
  /** COMPLETED or FAILED: the invoke answer of the approved call */
  outcome: ApprovalOutcome.nullable(),
  completedAt: Timestamp.nullable(),
});
export type Approval = z.infer<typeof Approval>;

export const ApprovalList = Page(Approval);
export type ApprovalList = z.infer<typeof ApprovalList>;

export const ApprovalIdParams = z.strictObject({ id: ApprovalId });
export type ApprovalIdParams = z.infer<typeof ApprovalIdParams>;

export const ApprovalListQuery = z.strictObject({
  status: ApprovalStatus.optional(),
  agentId: ResourceId.optional(),
  serviceId: ResourceId.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).max(200).optional(),
});
export type ApprovalListQuery = z.infer<typeof ApprovalListQuery>;

const Reason = z
  .string()
  .min(1)
  .max(500)
  .refine((value) => !value.includes('\u0000'), 'must not contain a NUL character');

/** `POST /approvals/:id/approve` and `/deny` on the gateway: an optional reason, kept on the approval. */
export const ApprovalAnswerBody = z.strictObject({ reason: Reason.optional() });
export type ApprovalAnswerBody = z.infer<typeof ApprovalAnswerBody>;

/** The policy's internal approve and deny: who answered, and why. */
export const ApprovalDecideRequest = z.strictObject({
  decidedBy: z.string().min(1).max(100),
  reason: Reason.optional(),
});
export type ApprovalDecideRequest = z.infer<typeof ApprovalDecideRequest>;

/** The policy's answer to an approve: the approval and the decision with its grant (the hold renewed), and the call to run. */
export const ApprovalGrant = z.object({
  approval: Approval,
  decision: Decision,
  /** the provider's input as the call was asked; null when it was too large to keep */
  input: z.record(z.string(), z.unknown()).nullable(),
});
export type ApprovalGrant = z.infer<typeof ApprovalGrant>;

/** The gateway reports how the approved call ended: COMPLETED (served) or FAILED, with its answer. */
export const ApprovalCompleteRequest = z.strictObject({
  status: z.enum(['COMPLETED', 'FAILED']),
  outcome: ApprovalOutcome,
});
export type ApprovalCompleteRequest = z.infer<typeof ApprovalCompleteRequest>;

/** `POST /tools/:serviceId/invoke` for a call that waits for approval (202). */
export const PendingApprovalAnswer = z.object({
  decision: PublicDecision,
  payment: z.null(),
  result: z.null(),
  approval: ApprovalSummary,
});
export type PendingApprovalAnswer = z.infer<typeof PendingApprovalAnswer>;
