import { createHash } from 'node:crypto';
import { ChatResponse, ChatToolCall, type DecisionAction, type PaymentStatus, type ReasonCode, type ToolName } from '@nexus/types';
import type { AgentBudget, AgentId } from '../demo-report';

/**
 * Answers of the gateway's public API built by hand for the demo's unit
 * tests, each parsed with the gateway's own contract so they are answers the
 * gateway could give.
 */

const hex = (seed: string, length: number) => createHash('sha256').update(seed).digest('hex').slice(0, length);
let sequence = 0;
const nextId = (prefix: string) => `${prefix}_${hex(`${prefix}:${(sequence += 1)}`, 32)}`;
export const txHashOf = (seed: string) => `0x${hex(seed, 64)}`;

const AT = '2026-03-10T12:00:00.000Z';

const SERVICE_OF: Record<ToolName, string> = {
  generate_image: 'IMAGE_GEN',
  get_price: 'PRICE_ORACLE',
  submit_batch_job: 'BATCH_COMPUTE',
  archive_logs: 'LOG_ARCHIVE',
};

export const priceResult = (base: string, quote: string, price: string) => ({
  base,
  quote,
  price,
  timestamp: AT,
  source: 'nexus-reference-feed',
  bucket: { index: 1, seconds: 60, start: AT, end: '2026-03-10T12:01:00.000Z' },
  route: 'direct',
  via: null,
  legs: [{ base, quote, price, driftBps: 0 }],
});

export const archiveResult = (variant: 'full' | 'summary', lineCount = 4) => ({
  archiveId: nextId('arc'),
  contentHash: hex(`archive:${sequence}`, 64),
  lineCount,
  storedBytes: 120,
  createdAt: AT,
  variant,
  url: '/archives/arc',
});

export const jobResult = () => {
  const jobId = nextId('job');
  return { jobId, kind: 'primes', status: 'QUEUED', createdAt: AT, statusUrl: `/jobs/${jobId}` };
};

export const imageResult = (side = 64) => ({
  format: 'png',
  width: side,
  height: side,
  seed: 7,
  contentHash: hex(`image:${side}`, 64),
  mediaType: 'image/png',
  byteLength: 660,
  data: Buffer.from('the image bytes, never printed').toString('base64'),
  url: `/images/${hex(`image:${side}`, 64)}`,
});

export interface CallSpec {
  agentId: AgentId;
  tool: ToolName;
  action: DecisionAction;
  reason: ReasonCode;
  variant: string | null;
  amount: string | null;
  message?: string;
  /** the payment's status and amount (the decision's amount by default); a txHash on chain; null for no payment */
  payment?: { status: PaymentStatus; amount?: string; txHash?: string | null } | null;
  result?: unknown;
}

/** One entry of POST /chat's `toolCalls`. Rejected calls have no payment and no result. */
export function toolCall(spec: CallSpec): ChatToolCall {
  const serviceId = SERVICE_OF[spec.tool];
  const decision = {
    id: nextId('dec'),
    action: spec.action,
    reason: spec.reason,
    message: spec.message ?? `${serviceId} ${spec.variant ?? ''} ${spec.action.toLowerCase()}`,
    variant: spec.variant,
    amount: spec.amount,
    agentId: spec.agentId,
    serviceId,
    requestedVariant: null,
    createdAt: AT,
  };
  const paid = spec.payment === undefined ? (spec.action === 'REJECTED' ? null : { status: 'SUCCESS' as const }) : spec.payment;
  const paymentId = nextId('pay');
  const payment = paid
    ? {
        id: paymentId,
        status: paid.status,
        mode: paid.status === 'MOCK' ? 'mock' : 'chain',
        amount: paid.amount ?? spec.amount ?? '0.00',
        txHash: paid.txHash === undefined ? (paid.status === 'MOCK' ? null : txHashOf(paymentId)) : paid.txHash,
        agentId: spec.agentId,
        serviceId,
        decisionId: decision.id,
        createdAt: AT,
        refund: null,
      }
    : null;
  return ChatToolCall.parse({
    tool: spec.tool,
    serviceId,
    decision,
    payment,
    result: paid ? (spec.result ?? null) : null,
    reason: spec.reason,
    variant: spec.variant,
    amount: spec.amount,
  });
}

/** A POST /chat answer from the built-in planner. */
export function chatAnswer(agentId: AgentId, calls: ChatToolCall[]): ChatResponse {
  return ChatResponse.parse({
    agentId,
    model: 'planner',
    reply: 'Here is what happened: ...',
    toolCalls: calls,
    toolCallLimitReached: false,
  });
}

/** An agent's budget as GET /agents/:id gives it (nothing held). */
export function budget(
  id: AgentId,
  priority: AgentBudget['priority'],
  dailyBudget: string,
  spentToday: string,
  remaining: string,
): AgentBudget {
  return { id, priority, dailyBudget, spentToday, reserved: '0.00', remaining };
}

/** The shipped services' prices, as GET /services lists them. */
export const SHIPPED_PRICES = {
  IMAGE_GEN: { standard: '0.50', draft: '0.20' },
  PRICE_ORACLE: { query: '0.05' },
  BATCH_COMPUTE: { standard: '1.50' },
  LOG_ARCHIVE: { full: '0.30', summary: '0.05' },
};
