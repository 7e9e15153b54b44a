import type { AppError } from '@nexus/service-kit';
import type { InvokeAnswer } from '@nexus/types';

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
  /** paid, served, the hold committed */
  | { kind: 'served'; answer: InvokeAnswer }
  /** allowed, then the payment or the provider failed; `answer.error`, `answer.payment` and `answer.refund` say how far it got */
  | { kind: 'failed'; answer: InvokeAnswer; error: AppError };

/** Runs paid calls; the REST route and the LangChain tools both go through it. */
export interface PaidCalls {
  run(request: PaidCallRequest): Promise<PaidCallOutcome>;
}
