import type { AppError } from '@nexus/service-kit';
import type { Decision, InvokeAnswer } from '@nexus/types';

/** One paid call for one agent (docs/architecture.md §2). */
export interface PaidCallRequest {
  agentId: string;
  serviceId: string;
  /** the service's default when absent; the policy may downgrade it */
  variant?: string;
  /** the provider's own input */
  input: Record<string, unknown>;
  /** the same key never decides, holds or pays twice */
  idempotencyKey: string;
  /** forwarded to every service the call reaches */
  requestId?: string;
}

/**
 * What a paid call came to. Only failures before the policy decided (the
 * policy service is down...) are thrown; from the decision on, every outcome
 * is an answer that says what happened to the hold and the money.
 */
export type PaidCallOutcome =
  /** the policy said no: nothing was held or paid */
  | { kind: 'rejected'; answer: InvokeAnswer }
  /** above the agent's approval threshold: the amount is held and the call waits for an operator (202) */
  | { kind: 'pending_approval'; answer: InvokeAnswer }
  /** paid, served, the hold committed */
  | { kind: 'served'; answer: InvokeAnswer }
  /** allowed, then the payment or the provider failed; `answer.error`, `answer.payment` and `answer.refund` say how far it got */
  | { kind: 'failed'; answer: InvokeAnswer; error: AppError };

/** Runs paid calls; the REST route and the LangChain tools both go through it. */
export interface PaidCalls {
  run(request: PaidCallRequest): Promise<PaidCallOutcome>;
}

/** An approved call, resumed: the policy's decision with its grant, and the call as it was asked. */
export interface ApprovedCall {
  decision: Decision;
  request: Omit<PaidCallRequest, 'idempotencyKey'>;
  /** the payment's idempotency key (one approval pays at most once) */
  paymentKey: string;
}
