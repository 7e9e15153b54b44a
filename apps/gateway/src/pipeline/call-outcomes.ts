import { isServiceCallError } from '@nexus/clients';
import { AppError } from '@nexus/service-kit';
import {
  MAX_APPROVAL_INPUT_BYTES,
  type DecideRequest,
  type Decision,
  type InvokeAnswer,
  type Payment,
  type RefundOutcome,
} from '@nexus/types';
import type { Grant } from './holds';
import type { PaidCallOutcome, PaidCallRequest } from './paid-call-types';
import { publicDecision, publicPayment } from './public-views';

/** A granted call that failed: the answer says how far it got, what was paid and what became of the money. */
export function failedOutcome(grant: Grant, error: AppError, payment: Payment | null, refund: RefundOutcome | null): PaidCallOutcome {
  const answer: InvokeAnswer = {
    decision: publicDecision(grant.decision),
    payment: payment ? publicPayment(payment) : null,
    result: null,
    error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
    refund,
  };
  return { kind: 'failed', answer, error };
}

/**
 * What the policy is asked for one paid call, under its internal key; `price`
 * for an x402 service (its 402 answer's). The input goes along only when it
 * fits an approval, which keeps it so an approved call runs as it was asked.
 */
export function decideRequest(request: PaidCallRequest, key: string, price?: string): DecideRequest {
  return {
    agentId: request.agentId,
    serviceId: request.serviceId,
    ...(request.variant === undefined ? {} : { variant: request.variant }),
    idempotencyKey: key,
    ...(fitsApproval(request.input) ? { input: request.input } : {}),
    ...(price === undefined ? {} : { price }),
  };
}

/** Does the input fit what an approval keeps? A larger one is not sent; its approval then cannot run the call. */
function fitsApproval(input: Record<string, unknown>): boolean {
  return Buffer.byteLength(JSON.stringify(input)) <= MAX_APPROVAL_INPUT_BYTES;
}

/** A call above the agent's approval threshold: held, waiting for an operator; nothing paid yet. */
export function pendingApproval(decision: Decision): PaidCallOutcome {
  if (!decision.approval) throw new AppError('UPSTREAM_ERROR', `policy decided ${decision.id} PENDING_APPROVAL without an approval`);
  return {
    kind: 'pending_approval',
    answer: { decision: publicDecision(decision), payment: null, result: null, approval: decision.approval },
  };
}

/**
 * Why the payment service refused a pay request before anything was recorded
 * or sent (a bad request, a refused grant), or said the payment FAILED (a
 * chain that refused connections: nothing was sent); undefined when the money
 * may have moved (a timeout, a 5xx, unreachable after a send, PENDING).
 */
export function paymentRefused(error: unknown): string | undefined {
  if (!isServiceCallError(error) || error.failure !== 'answered') return undefined;
  const status = error.upstreamStatus ?? 0;
  if (status === 400 || status === 403 || status === 422) return `the payment service refused the payment (${error.code})`;
  const details = error.upstreamBody?.error.details ?? [];
  const failed = details.some((detail) => detail.path === 'payment.status' && detail.message === 'FAILED');
  return failed ? `payment failed: ${error.upstreamBody?.error.code ?? 'unknown'}` : undefined;
}

/** A chain outage is a 503 CHAIN_UNAVAILABLE here as at the payment service, with its details (payment id and status). */
export function paymentError(error: unknown): AppError {
  if (isServiceCallError(error) && error.upstreamBody?.error.code === 'CHAIN_UNAVAILABLE')
    return new AppError('CHAIN_UNAVAILABLE', `payment: ${error.upstreamBody.error.message}`, {
      cause: error,
      ...(error.details ? { details: error.details } : {}),
    });
  return asAppError(error, 'payment');
}

export function asAppError(error: unknown, what: string): AppError {
  if (error instanceof AppError) return error;
  return new AppError('INTERNAL_ERROR', `${what}: unexpected failure`, { cause: error });
}
