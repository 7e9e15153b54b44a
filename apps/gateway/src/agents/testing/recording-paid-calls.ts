import type { DecisionAction, InvokeAnswer, ReasonCode } from '@nexus/types';
import type { PaidCallOutcome, PaidCallRequest, PaidCalls } from '../../pipeline/paid-call-types';

/**
 * A stand-in for the paid-call pipeline in the agents' tests (the pipeline
 * itself is tested against the real services): it records each request and
 * answers what `answer` says, by default a served call.
 */
export class RecordingPaidCalls implements PaidCalls {
  readonly requests: PaidCallRequest[] = [];

  constructor(
    private readonly answer: (request: PaidCallRequest, index: number) => PaidCallOutcome | Promise<PaidCallOutcome> = served(),
  ) {}

  async run(request: PaidCallRequest): Promise<PaidCallOutcome> {
    this.requests.push(request);
    return this.answer(request, this.requests.length - 1);
  }
}

let counter = 0;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export interface DecisionFields {
  action?: DecisionAction;
  reason?: ReasonCode;
  message?: string;
  variant?: string | null;
  amount?: string | null;
}

export function answerFor(request: PaidCallRequest, fields: DecisionFields = {}, result: unknown = { ok: true }): InvokeAnswer {
  counter += 1;
  const action = fields.action ?? 'ALLOWED';
  const variant = fields.variant === undefined ? (request.variant ?? 'standard') : fields.variant;
  const amount = fields.amount === undefined ? '0.05' : fields.amount;
  const decision = {
    id: `dec_${hex(counter, 32)}`,
    action,
    reason: fields.reason ?? 'WITHIN_POLICY',
    message: fields.message ?? 'within policy',
    variant,
    amount,
    agentId: request.agentId,
    serviceId: request.serviceId,
    requestedVariant: request.variant ?? null,
    createdAt: '2026-03-10T12:00:00.000Z',
  };
  if (action === 'REJECTED') return { decision, payment: null, result: null };
  return {
    decision,
    payment: {
      id: `pay_${hex(counter, 32)}`,
      status: 'SUCCESS',
      mode: 'chain',
      amount: amount ?? '0',
      txHash: `0x${hex(counter, 64)}`,
      agentId: request.agentId,
      serviceId: request.serviceId,
      decisionId: decision.id,
      createdAt: '2026-03-10T12:00:00.000Z',
      refund: null,
    },
    result,
  };
}

/** Every call allowed and served, with `result` as the provider's answer. */
export const served =
  (result: (request: PaidCallRequest) => unknown = () => ({ ok: true })) =>
  (request: PaidCallRequest): PaidCallOutcome => ({ kind: 'served', answer: answerFor(request, {}, result(request)) });
