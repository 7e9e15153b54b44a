import { randomUUID } from 'node:crypto';
import { tool, type DynamicStructuredTool } from 'langchain';
import type { z } from 'zod';
import { AppError } from '@nexus/service-kit';
import type { ChatToolCall, InvokeAnswer } from '@nexus/types';
import type { PaidCallOutcome, PaidCalls } from '../pipeline/paid-call-types';
import type { X402PaidService } from '../services/service-directory';
import { x402Tool } from '../x402/x402-tool';
import { compactForModel, type ToolReport } from './tool-report';
import { ARCHIVE_LOGS, GENERATE_IMAGE, GET_PRICE, SUBMIT_BATCH_JOB, type PaidToolSpec } from './tool-schemas';

export interface PaidToolsOptions {
  paidCalls: PaidCalls;
  agentId: string;
  /** forwarded to every service a call reaches */
  requestId?: string;
  /** called once per call the policy decided, in the order the calls ran */
  record: (call: ChatToolCall) => void;
  /**
   * Called when a call could not even be decided (the policy service is
   * down...): nothing was held or paid. The model is told so too; the chat
   * service stops the run and answers with this error.
   */
  onUnavailable?: (error: AppError) => void;
  /** once aborted, calls not yet started are not made (the chat is stopping) */
  signal?: AbortSignal;
  /** the x402 services of services.yaml: one paid tool each (docs/x402.md, "Paying x402 APIs") */
  x402Services?: readonly X402PaidService[];
  /** a fresh idempotency key per tool call; random by default */
  newIdempotencyKey?: () => string;
}

/** A paid call's outcome as the record of the chat response has it. */
export function toChatToolCall(spec: { name: ChatToolCall['tool']; serviceId: string }, answer: InvokeAnswer): ChatToolCall {
  return {
    tool: spec.name,
    serviceId: spec.serviceId,
    ...answer,
    reason: answer.decision.reason,
    variant: answer.decision.variant,
    amount: answer.decision.amount,
  };
}

const CHARGED = new Set(['SUCCESS', 'MOCK']);

function reportOf(spec: PaidToolSpec<z.ZodObject>, outcome: PaidCallOutcome): ToolReport {
  const { decision, payment, result, refund, approval } = outcome.answer;
  const error = outcome.kind === 'failed' ? (outcome.answer.error ?? { code: outcome.error.code, message: outcome.error.message }) : null;
  return {
    tool: spec.name,
    serviceId: spec.serviceId,
    outcome: outcome.kind,
    decision: {
      action: decision.action,
      reason: decision.reason,
      message: decision.message,
      requestedVariant: decision.requestedVariant,
      variant: decision.variant,
      amount: decision.amount,
    },
    payment: payment ? { status: payment.status, amount: payment.amount, txHash: payment.txHash } : null,
    charged: payment !== null && CHARGED.has(payment.status) && refund?.status !== 'REFUNDED',
    result: result === null || result === undefined ? null : compactForModel(result),
    error: error ? { code: error.code, message: error.message } : null,
    refund: refund ? { status: refund.status, txHash: refund.txHash, message: refund.message } : null,
    approval: approval ?? null,
  };
}

const refusedReport = (
  spec: PaidToolSpec<z.ZodObject>,
  outcome: 'invalid_input' | 'unavailable',
  error: { code: string; message: string },
): ToolReport => ({
  tool: spec.name,
  serviceId: spec.serviceId,
  outcome,
  decision: null,
  payment: null,
  charged: false,
  result: null,
  error,
  refund: null,
});

const inputProblems = (error: z.ZodError) =>
  error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : 'input'}: ${issue.message}`).join('; ');

/**
 * The paid tools of one chat request (our four providers', and one per x402 service). Each goes through the paid-call
 * pipeline with a fresh idempotency key, records what it came to and returns
 * a compact JSON report to the model. The calls of one request run one at a
 * time, in the order the model's tool calls arrive, so the policy judges them
 * in that order (a budget shared by two calls of one turn is not a race).
 */
export function createPaidTools(options: PaidToolsOptions): DynamicStructuredTool[] {
  const newKey = options.newIdempotencyKey ?? (() => `chat_${randomUUID()}`);
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  };

  const paidTool = <Args extends z.ZodObject>(spec: PaidToolSpec<Args>) =>
    tool(
      async (args: z.output<Args>): Promise<string> => {
        const request = spec.toRequest(args);
        if (!request.input.success) {
          const message = `invalid input: ${inputProblems(request.input.error)}`;
          return JSON.stringify(refusedReport(spec, 'invalid_input', { code: 'VALIDATION_ERROR', message }));
        }
        const input = request.input.data;
        try {
          const outcome = await oneAtATime(async () => {
            options.signal?.throwIfAborted();
            return options.paidCalls.run({
              agentId: options.agentId,
              serviceId: spec.serviceId,
              ...(request.variant === undefined ? {} : { variant: request.variant }),
              input,
              idempotencyKey: newKey(),
              ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
            });
          });
          options.record(toChatToolCall(spec, outcome.answer));
          return JSON.stringify(reportOf(spec, outcome));
        } catch (error) {
          if (options.signal?.aborted) {
            const message = 'not made: the request was stopped by an earlier failure; nothing was held or paid';
            return JSON.stringify(refusedReport(spec, 'unavailable', { code: 'SERVICE_UNAVAILABLE', message }));
          }
          const failure =
            error instanceof AppError ? error : new AppError('INTERNAL_ERROR', `${spec.name} failed before a decision`, { cause: error });
          options.onUnavailable?.(failure);
          return JSON.stringify(
            refusedReport(spec, 'unavailable', { code: failure.code, message: `${failure.message}; nothing was held or paid` }),
          );
        }
      },
      { name: spec.name, description: spec.description, schema: spec.schema },
    ) as DynamicStructuredTool;

  return [
    paidTool(GENERATE_IMAGE),
    paidTool(GET_PRICE),
    paidTool(SUBMIT_BATCH_JOB),
    paidTool(ARCHIVE_LOGS),
    ...(options.x402Services ?? []).map((service) => paidTool(x402Tool(service))),
  ];
}
