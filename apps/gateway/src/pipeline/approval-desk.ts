import type { CallContext, PolicyClient } from '@nexus/clients';
import { AppError, describeError, type Logger } from '@nexus/service-kit';
import type { Approval, ApprovalList, ApprovalListQuery } from '@nexus/types';
import type { Caller } from '../access/caller';
import { toHttpAnswer, type InvokeHttpAnswer } from './idempotent-invoke';
import type { ApprovedCall, PaidCallOutcome } from './paid-call-types';
import { publicDecision } from './public-views';

export interface ApprovalDeskDeps {
  policy: Pick<PolicyClient, 'approve' | 'deny' | 'completeApproval' | 'getApproval' | 'listApprovals' | 'release'>;
  /** runs the rest of an approved call (PaidCallPipeline.resume) */
  calls: { resume(call: ApprovedCall): Promise<PaidCallOutcome> };
  logger: Logger;
}

/**
 * The admin's side of approvals (docs/api.md, "Approvals"). The policy keeps
 * the approvals and decides who wins a race between answers; an approve that
 * wins runs the call here, through the same pipeline as any paid call
 * (precheck, pay on the grant, provider, commit), and keeps its answer on the
 * approval (COMPLETED when served, FAILED otherwise).
 */
export class ApprovalDesk {
  constructor(private readonly deps: ApprovalDeskDeps) {}

  list(query: Partial<ApprovalListQuery>, context: CallContext): Promise<ApprovalList> {
    return this.deps.policy.listApprovals(query, context);
  }

  /** The admin reads any approval; an agent key only its own agent's. */
  async get(id: string, caller: Caller, context: CallContext): Promise<Approval> {
    const approval = await this.deps.policy.getApproval(id, context);
    if (caller.kind === 'agent' && approval.agentId !== caller.agentId)
      throw new AppError('FORBIDDEN', `this key acts as ${caller.agentId} only; approval ${id} is another agent's`);
    return approval;
  }

  async deny(id: string, reason: string | undefined, context: CallContext): Promise<Approval> {
    return this.deps.policy.deny(id, { decidedBy: 'admin', ...(reason ? { reason } : {}) }, context);
  }

  /** Approves, runs the call once and answers the approval with the call's answer on it. */
  async approve(id: string, reason: string | undefined, context: CallContext): Promise<Approval> {
    // Only one answer wins at the policy: a second approve, or a deny that came first, is a 409 and runs nothing.
    const { approval, decision, input } = await this.deps.policy.approve(
      id,
      { decidedBy: 'admin', ...(reason ? { reason } : {}) },
      context,
    );
    let answer: Omit<InvokeHttpAnswer, 'replayed'>;
    if (input === null) {
      // The gateway does not send an input larger than an approval keeps: there is nothing to run, so nothing is paid.
      await this.deps.policy.release(decision.reservationId ?? '', 'approved call had no input kept', context);
      const error = { code: 'VALIDATION_ERROR' as const, message: 'the call input was too large to keep for approval; nothing was paid' };
      answer = { status: 400, body: { error, decision: publicDecision(decision), payment: null, refund: null } };
    } else {
      const outcome = await this.deps.calls.resume({
        decision,
        request: {
          agentId: approval.agentId,
          serviceId: approval.serviceId,
          variant: approval.variant,
          input,
          ...(context.requestId ? { requestId: context.requestId } : {}),
        },
        paymentKey: `approval:${approval.id}`,
      });
      answer = toHttpAnswer(outcome);
    }
    const status = answer.status === 200 ? 'COMPLETED' : 'FAILED';
    try {
      return await this.deps.policy.completeApproval(id, { status, outcome: answer }, context);
    } catch (error: unknown) {
      this.deps.logger.error('an approved call ran but its answer could not be kept on the approval', {
        approvalId: id,
        status,
        error: describeError(error),
      });
      throw new AppError('UPSTREAM_UNAVAILABLE', `approval ${id}: the call ran (${status}) but the policy could not keep its answer`, {
        cause: error,
      });
    }
  }
}
