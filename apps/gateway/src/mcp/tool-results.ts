import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { InvokeAnswer, InvokeFailureBody, PublicDecision, PublicPayment, RefundOutcome } from '@nexus/types';
import type { InvokeHttpAnswer } from '../pipeline/idempotent-invoke';

/**
 * What `_meta` of a paid tool's result carries (docs/mcp.md): the policy's
 * decision, the payment (with its transaction hash in chain mode), the
 * refund, the approval a call waits for, and whether this is the stored
 * answer of an earlier call with the same `_meta.idempotencyKey`.
 */
export interface PaidCallMeta {
  [key: string]: unknown;
  decision: PublicDecision;
  payment: Pick<PublicPayment, 'id' | 'status' | 'amount' | 'txHash'> | null;
  refund: RefundOutcome | null;
  approval?: InvokeAnswer['approval'];
  error?: { code: string; message: string };
  replayed: boolean;
}

/** A tool call that went wrong: the reason code first, so the model (and its user) can act on it. */
export function toolError(code: string, message: string, meta?: Record<string, unknown>): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `${code}: ${message}` }], ...(meta ? { _meta: meta } : {}) };
}

/** Any JSON value as the object `structuredContent` must be. */
const asObject = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { result: value };

/** A free tool's answer: the value as JSON text and as structured content. */
export function toolValue(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: asObject(value) };
}

const paymentMeta = (payment: PublicPayment | null): PaidCallMeta['payment'] =>
  payment ? { id: payment.id, status: payment.status, amount: payment.amount, txHash: payment.txHash } : null;

const isFailure = (body: InvokeAnswer | InvokeFailureBody): body is InvokeFailureBody =>
  'error' in body && body.error !== null && body.error !== undefined;

/** What became of the money of a call that failed after the policy allowed it, in words. */
function moneyAfterFailure(body: InvokeFailureBody): string {
  const { payment, refund } = body;
  if (!payment) return 'Nothing was charged.';
  if (refund?.status === 'REFUNDED' || payment.status === 'REFUNDED') return `The payment of ${payment.amount} MNEE was refunded.`;
  if (payment.status === 'FAILED') return 'The payment failed: nothing was charged.';
  if (payment.status === 'PENDING')
    return `The payment of ${payment.amount} MNEE is not settled yet; retry with the same _meta.idempotencyKey to resume the call (it is never paid twice).`;
  return `The payment of ${payment.amount} MNEE stands.`;
}

/**
 * Images travel as MCP image content (a client shows them), the rest of the
 * result as JSON text: IMAGE_GEN's result carries its bytes in base64 `data`
 * with its `mediaType`.
 */
function resultContent(result: unknown): CallToolResult['content'] {
  const fields = asObject(result);
  const { data, mediaType } = fields;
  if (typeof data === 'string' && typeof mediaType === 'string' && mediaType.startsWith('image/')) {
    const rest = Object.fromEntries(Object.entries(fields).filter(([key]) => key !== 'data'));
    return [
      { type: 'text', text: JSON.stringify(rest) },
      { type: 'image', data, mimeType: mediaType },
    ];
  }
  return [{ type: 'text', text: JSON.stringify(result) }];
}

/**
 * A paid call's answer (the same as `POST /tools/:serviceId/invoke` gives)
 * as an MCP tool result. Served: the provider's result as content and
 * `structuredContent`. Waiting for approval: not an error, it says so. A
 * rejection or a failure: `isError`, with the reason code and message.
 */
export function paidCallResult(answer: InvokeHttpAnswer): CallToolResult {
  const { body } = answer;
  const meta: PaidCallMeta = {
    decision: body.decision,
    payment: paymentMeta(body.payment),
    refund: body.refund ?? null,
    replayed: answer.replayed,
  };
  if (isFailure(body)) {
    const { code, message } = body.error;
    return toolError(code, `${message}. ${moneyAfterFailure(body)}`, { ...meta, error: { code, message } });
  }
  const { decision } = body;
  if (decision.action === 'REJECTED')
    return toolError(decision.reason, `${decision.message} The policy rejected the call: nothing was held or charged.`, meta);
  if (decision.action === 'PENDING_APPROVAL' && body.approval) {
    const { approval } = body;
    const text =
      `Waiting for approval (${decision.reason}): ${decision.message} Approval ${approval.id} is ${approval.status} until ${approval.expiresAt}; ` +
      `${decision.amount ?? 'the price'} MNEE is held and nothing is charged unless an operator approves it, and the call runs then.`;
    return { content: [{ type: 'text', text }], _meta: { ...meta, approval } };
  }
  return { content: resultContent(body.result), structuredContent: asObject(body.result), _meta: meta };
}
