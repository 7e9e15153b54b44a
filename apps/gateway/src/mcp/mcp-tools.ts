import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { PolicyClient } from '@nexus/clients';
import { AppError, describeError, type Logger } from '@nexus/service-kit';
import { IdempotencyKey, ResourceId } from '@nexus/types';
import { ARCHIVE_LOGS, GENERATE_IMAGE, GET_PRICE, SUBMIT_BATCH_JOB, type PaidToolSpec } from '../agents/tool-schemas';
import type { IdempotentInvoke } from '../pipeline/idempotent-invoke';
import { publicDecision } from '../pipeline/public-views';
import { publicAgent } from '../routes/views';
import { catalogEntry } from '../services/service-catalog';
import type { ServiceDirectory } from '../services/service-directory';
import { x402Tool } from '../x402/x402-tool';
import type { X402Quoter } from '../x402/x402-quoter';
import { x402ToolName } from '../x402/x402-tool-name';
import { paidCallResult, toolError, toolValue } from './tool-results';

/** What the MCP tools work with: the same pipeline and clients as the REST routes. */
export interface McpToolDeps {
  invoke: Pick<IdempotentInvoke, 'invoke'>;
  policy: Pick<PolicyClient, 'getAgent' | 'simulate'>;
  services: Pick<ServiceDirectory, 'get' | 'list'>;
  /** an x402 service's price now, for get_quote's dry run */
  x402Quoter: Pick<X402Quoter, 'simulationPrice'>;
  /** waits (briefly) for the commits this gateway still owes the policy, so a budget read shows its own calls as spent */
  queuedCommits?: () => Promise<void>;
  logger: Logger;
}

/** Who a request's tools act for: one agent, resolved from the key before MCP sees the request. */
export interface McpCaller {
  agentId: string;
  requestId?: string;
}

/** The paid tools, each one service: the same specs (and provider input schemas) as the chat's LangChain tools. */
export const PAID_TOOLS = [GENERATE_IMAGE, GET_PRICE, SUBMIT_BATCH_JOB, ARCHIVE_LOGS] as const;

/** Where a tool call's `_meta` carries the idempotency key. */
export const IDEMPOTENCY_META_KEY = 'idempotencyKey';

const inputProblems = (error: z.ZodError) =>
  error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : 'input'}: ${issue.message}`).join('; ');

/** A failure before anything was decided (an unknown service, a policy that cannot be reached...) as a tool error. */
function notDecided(deps: McpToolDeps, error: unknown, what: string): CallToolResult {
  if (error instanceof AppError) return toolError(error.code, `${error.message}; ${what}`);
  // Not one of ours: its message may say more than a client should read; the log keeps it.
  deps.logger.error('an MCP tool call failed unexpectedly', { error: describeError(error) });
  return toolError('INTERNAL_ERROR', `an unexpected error; ${what}`);
}

/** `_meta.idempotencyKey` of a tool call: absent, or a valid key; anything else is refused before the policy is asked. */
function idempotencyKeyOf(meta: Record<string, unknown> | undefined): { key: string | undefined } | { problem: string } {
  const given = meta?.[IDEMPOTENCY_META_KEY];
  if (given === undefined) return { key: undefined };
  const parsed = IdempotencyKey.safeParse(given);
  return parsed.success
    ? { key: parsed.data }
    : { problem: `_meta.${IDEMPOTENCY_META_KEY} ${parsed.error.issues[0]?.message ?? 'is invalid'}` };
}

/**
 * The four paid tools. A call is decide → precheck → pay → provider →
 * commit through `IdempotentInvoke`, exactly as `POST /tools/:serviceId/invoke`:
 * `_meta.idempotencyKey` is its `Idempotency-Key` (same agent, same key space),
 * and without one each call is a new paid call.
 */
export function registerPaidTools(server: McpServer, deps: McpToolDeps, caller: McpCaller): void {
  const paidTool = <Args extends z.ZodObject>(spec: PaidToolSpec<Args>) => {
    // The SDK types a handler's arguments from the schema; a schema of a type parameter would leave them unknown.
    const inputSchema: z.ZodObject = spec.schema;
    server.registerTool(
      spec.name,
      {
        title: spec.name.replace(/_/g, ' '),
        description: `${spec.description} Runs under the agent's policy (budgets, holds, approvals). Send _meta.idempotencyKey to make a retry pay once.`,
        inputSchema,
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
      },
      async (args, extra): Promise<CallToolResult> => {
        const request = spec.toRequest(args as z.output<Args>);
        if (!request.input.success)
          return toolError('VALIDATION_ERROR', `invalid input: ${inputProblems(request.input.error)}; nothing was held or charged`);
        const key = idempotencyKeyOf(extra._meta);
        if ('problem' in key) return toolError('VALIDATION_ERROR', `${key.problem}; nothing was held or charged`);
        try {
          const answer = await deps.invoke.invoke({
            agentId: caller.agentId,
            serviceId: spec.serviceId,
            ...(request.variant === undefined ? {} : { variant: request.variant }),
            input: request.input.data,
            ...(key.key === undefined ? {} : { idempotencyKey: key.key }),
            ...(caller.requestId === undefined ? {} : { requestId: caller.requestId }),
          });
          return paidCallResult(answer);
        } catch (error) {
          return notDecided(deps, error, 'nothing was held or charged');
        }
      },
    );
  };
  paidTool(GENERATE_IMAGE);
  paidTool(GET_PRICE);
  paidTool(SUBMIT_BATCH_JOB);
  paidTool(ARCHIVE_LOGS);
  for (const service of deps.services.list()) if (service.kind === 'x402') paidTool(x402Tool(service));
}

/** The services a quote may name, with the tool that pays for each. */
function quoteInput(deps: McpToolDeps) {
  const ids = deps.services.list().map((service) => service.config.id);
  const x402 = deps.services
    .list()
    .flatMap((service) => (service.kind === 'x402' ? [`${x402ToolName(service.config.id)} → ${service.config.id}`] : []));
  const byTool = [...PAID_TOOLS.map((spec) => `${spec.name} → ${spec.serviceId}`), ...x402].join(', ');
  const service = ids.length > 0 ? z.enum(ids as [string, ...string[]]) : ResourceId;
  return z.strictObject({
    service: service.describe(`the service id (${byTool})`),
    variant: ResourceId.optional().describe("a variant of the service; the service's default when absent"),
  });
}

/** The two free tools: the agent's budget, and a quote with the policy's dry run. Neither holds nor pays anything. */
export function registerFreeTools(server: McpServer, deps: McpToolDeps, caller: McpCaller): void {
  const context = caller.requestId === undefined ? {} : { requestId: caller.requestId };
  server.registerTool(
    'get_budget',
    {
      title: 'get budget',
      description:
        "Free. The agent's budget windows (daily, and weekly or monthly when it has them) with what is spent, held and remaining in each, its per-call maximum and approval threshold.",
      inputSchema: z.strictObject({}),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (): Promise<CallToolResult> => {
      try {
        await deps.queuedCommits?.();
        return toolValue(publicAgent(await deps.policy.getAgent(caller.agentId, context)));
      } catch (error) {
        return notDecided(deps, error, 'nothing was read');
      }
    },
  );
  server.registerTool(
    'get_quote',
    {
      title: 'get quote',
      description:
        "Free. A service's variants and prices, and what the policy would decide for this agent right now (ALLOWED, DOWNGRADED, REJECTED or PENDING_APPROVAL, with the reason): a dry run that holds and charges nothing.",
      inputSchema: quoteInput(deps),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args): Promise<CallToolResult> => {
      const { service: serviceId, variant } = args as { service: string; variant?: string };
      try {
        const service = deps.services.get(serviceId);
        const price = await deps.x402Quoter.simulationPrice(service);
        const decision = await deps.policy.simulate(
          { agentId: caller.agentId, serviceId, ...(variant === undefined ? {} : { variant }), ...price },
          context,
        );
        return toolValue({
          service: catalogEntry(service),
          decision: publicDecision(decision),
        });
      } catch (error) {
        return notDecided(deps, error, 'nothing was held or charged');
      }
    },
  );
}
