import {
  BatchComputeAccepted,
  ImageGenResult,
  LogArchiveReceipt,
  PriceAnswer,
  type ChatResponse,
  type ChatToolCall,
  type ToolName,
} from '@nexus/types';
import type { AgentId, DemoCall, DemoTurn } from './demo-report';

/** One line on what a provider served (never its bytes), and the variant it says it served. */
export function describeServed(tool: ToolName, result: unknown): { served: string | null; servedVariant: string | null } {
  if (result === null || result === undefined) return { served: null, servedVariant: null };
  switch (tool) {
    case 'get_price': {
      const price = PriceAnswer.safeParse(result);
      return { served: price.success ? `${price.data.base}/${price.data.quote} = ${price.data.price}` : 'a price', servedVariant: null };
    }
    case 'generate_image': {
      const image = ImageGenResult.safeParse(result);
      const served = image.success
        ? `${image.data.format} ${image.data.width}x${image.data.height}, ${image.data.byteLength} bytes, at ${image.data.url}`
        : 'an image';
      return { served, servedVariant: null };
    }
    case 'submit_batch_job': {
      const job = BatchComputeAccepted.safeParse(result);
      return { served: job.success ? `${job.data.kind} job ${job.data.jobId} ${job.data.status}` : 'a batch job', servedVariant: null };
    }
    case 'archive_logs': {
      const archive = LogArchiveReceipt.safeParse(result);
      if (!archive.success) return { served: 'an archive', servedVariant: null };
      const { variant, archiveId, lineCount } = archive.data;
      return { served: `${variant} archive ${archiveId} of ${lineCount} lines`, servedVariant: variant };
    }
    default:
      // an x402 service's answer is its own
      return { served: 'an x402 API answer', servedVariant: null };
  }
}

export function demoCall(call: ChatToolCall): DemoCall {
  const { decision, payment } = call;
  return {
    tool: call.tool,
    serviceId: call.serviceId,
    decisionId: decision.id,
    action: decision.action,
    reason: decision.reason,
    message: decision.message,
    variant: decision.variant,
    amount: decision.amount,
    payment: payment ? { id: payment.id, status: payment.status, amount: payment.amount, txHash: payment.txHash } : null,
    ...describeServed(call.tool, call.result),
    error: call.error ? { code: call.error.code, message: call.error.message } : null,
  };
}

/** A chat turn as the demo records it. */
export function demoTurn(agentId: AgentId, message: string, response: ChatResponse): DemoTurn {
  return { agentId, message, calls: response.toolCalls.map(demoCall), error: null };
}

/** A chat turn the gateway answered with an error. */
export function failedTurn(agentId: AgentId, message: string, error: { status: number; code: string; message: string }): DemoTurn {
  return { agentId, message, calls: [], error: { status: error.status, code: error.code, message: error.message } };
}
