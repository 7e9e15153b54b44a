import { z } from 'zod';
import { DecisionAction, ToolName } from '@nexus/types';

/**
 * What a paid tool tells the model about one call: the decision (action,
 * reason code and message, so it can explain a rejection or a downgrade), the
 * payment and a compact form of the provider's result. The tool message holds
 * this as JSON; the built-in planner reads it back to write its reply.
 */
export const ToolReport = z.object({
  tool: ToolName,
  serviceId: z.string(),
  /** served: paid and done; rejected: the policy said no; pending_approval: held, waiting for an operator; failed: allowed, then payment or provider failed; invalid_input: refused before the policy; unavailable: nothing could be decided */
  outcome: z.enum(['served', 'rejected', 'pending_approval', 'failed', 'invalid_input', 'unavailable']),
  decision: z
    .object({
      action: DecisionAction,
      reason: z.string(),
      message: z.string(),
      requestedVariant: z.string().nullable(),
      variant: z.string().nullable(),
      amount: z.string().nullable(),
    })
    .nullable(),
  payment: z.object({ status: z.string(), amount: z.string(), txHash: z.string().nullable() }).nullable(),
  /** true when money left the treasury for this call and was not refunded */
  charged: z.boolean(),
  result: z.unknown().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  refund: z.object({ status: z.string(), txHash: z.string().nullable(), message: z.string() }).nullable(),
  /** pending_approval: the approval the call waits for */
  approval: z.object({ id: z.string(), status: z.string(), expiresAt: z.string() }).nullable().optional(),
});
export type ToolReport = z.infer<typeof ToolReport>;

/** Reads a tool message's text back as a report; null for anything else (a limit notice, an input error from LangChain...). */
export function parseToolReport(text: string): ToolReport | null {
  try {
    const parsed = ToolReport.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const MAX_STRING = 200;
const MAX_ITEMS = 20;
const MAX_DEPTH = 4;

/**
 * A provider result as the model should see it: long strings (an image's
 * base64 bytes) and long arrays (a list of primes) cut short, so a tool
 * message stays small in the prompt and in the conversation memory.
 */
export function compactForModel(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > MAX_STRING ? `[${value.length} characters omitted]` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[omitted]';
  if (Array.isArray(value)) {
    const head = value.slice(0, MAX_ITEMS).map((item) => compactForModel(item, depth + 1));
    return value.length > MAX_ITEMS ? [...head, `[${value.length - MAX_ITEMS} more omitted]`] : head;
  }
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, compactForModel(field, depth + 1)]));
}

const field = (value: unknown, key: string): unknown =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;

/** One line on what the provider gave back, by service. */
export function resultGist(tool: ToolName, result: unknown): string {
  const get = (key: string) => text(field(result, key));
  switch (tool) {
    case 'get_price':
      return `${get('base') ?? '?'}/${get('quote') ?? '?'} = ${get('price') ?? '?'} (source ${get('source') ?? 'unknown'}, at ${get('timestamp') ?? 'unknown time'})`;
    case 'generate_image':
      return `a ${get('width') ?? '?'}x${get('height') ?? '?'} ${get('format') ?? 'image'} image, sha256 ${get('contentHash') ?? '?'}, at ${get('url') ?? '?'}`;
    case 'submit_batch_job':
      return `${get('kind') ?? 'batch'} job ${get('jobId') ?? '?'} is ${get('status') ?? 'queued'}; its status and result are at ${get('statusUrl') ?? '?'}`;
    case 'archive_logs':
      return `archive ${get('archiveId') ?? '?'} (${get('variant') ?? '?'}, ${get('lineCount') ?? '?'} lines, sha256 ${get('contentHash') ?? '?'}), at ${get('url') ?? '?'}`;
    default:
      // an x402 service's answer is its own: shown as it came, shortened
      return JSON.stringify(compactForModel(result)).slice(0, 300);
  }
}

const paidText = (report: ToolReport) => {
  const payment = report.payment;
  if (!payment) return '';
  const tx = payment.txHash ? `tx ${payment.txHash}` : 'no transaction (mock payment)';
  return ` Paid ${payment.amount} MNEE (${payment.status}, ${tx}).`;
};

/** A sentence or two on one call: what the policy decided and why, what was paid, what came back. */
export function describeToolReport(report: ToolReport): string {
  const name = `${report.tool} (${report.serviceId})`;
  const decision = report.decision;
  switch (report.outcome) {
    case 'invalid_input':
      return `${name} was not called: ${report.error?.message ?? 'its input was invalid'}. Nothing was charged.`;
    case 'unavailable':
      return `${name} could not be decided: ${report.error?.message ?? 'a service is unavailable'}. Nothing was charged.`;
    case 'rejected':
      return `${name} was REJECTED (${decision?.reason ?? 'unknown reason'}): ${decision?.message ?? ''} Nothing was charged.`;
    case 'pending_approval':
      return (
        `${name} waits for an operator's approval (${decision?.reason ?? 'APPROVAL_REQUIRED'}): ${decision?.message ?? ''} ` +
        `Approval ${report.approval?.id ?? '?'} is ${report.approval?.status ?? 'PENDING'} until ${report.approval?.expiresAt ?? '?'}; ` +
        'nothing is charged unless it is approved, and the call runs then.'
      );
    case 'served':
    case 'failed': {
      const how =
        decision?.action === 'DOWNGRADED'
          ? `was DOWNGRADED to ${decision.variant ?? '?'}${decision.requestedVariant ? ` from ${decision.requestedVariant}` : ''} (${decision.reason}): ${decision.message}`
          : `was ALLOWED (${decision?.variant ?? 'default'} variant, ${decision?.amount ?? '?'} MNEE).`;
      if (report.outcome === 'served') return `${name} ${how}${paidText(report)} Result: ${resultGist(report.tool, report.result)}.`;
      const refund = report.refund
        ? ` Refund: ${report.refund.status}${report.refund.txHash ? ` (tx ${report.refund.txHash})` : ''}.`
        : report.charged
          ? ''
          : ' Nothing was charged.';
      return `${name} ${how}${paidText(report)} Then it failed: ${report.error?.message ?? 'unknown error'}.${refund}`;
    }
  }
}
