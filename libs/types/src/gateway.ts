import { z } from 'zod';
import { ErrorBody } from './errors';
import { IdempotencyKey, Page, ResourceId, Timestamp } from './ids';
import { LogStats } from './logger';
import { Money } from './money';
import { PaymentMode, PaymentStatus } from './payment';
import { Agent, DecisionAction, DecisionApprovalStatus, Priority, ReasonCode } from './policy';
import { RefundOutcome } from './provider';

/**
 * The gateway's public API (docs/architecture.md §6, port 8000). Money is a decimal
 * string of MNEE; lists are `{items, nextCursor}`.
 */

/** The `Idempotency-Key` header of `POST /tools/:serviceId/invoke`. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

export const ServiceIdParams = z.strictObject({ serviceId: ResourceId });
export type ServiceIdParams = z.infer<typeof ServiceIdParams>;

export const IdParams = z.strictObject({ id: ResourceId });
export type IdParams = z.infer<typeof IdParams>;

/** A policy decision as the public API shows it. */
export const PublicDecision = z.object({
  id: z.string(),
  action: DecisionAction,
  reason: ReasonCode,
  message: z.string(),
  /** the variant granted (or refused); null when the service or variant is unknown */
  variant: z.string().nullable(),
  amount: Money.nullable(),
  agentId: z.string(),
  serviceId: z.string(),
  requestedVariant: z.string().nullable(),
  createdAt: Timestamp,
});
export type PublicDecision = z.infer<typeof PublicDecision>;

/** A payment as the public API shows it. */
export const PublicPayment = z.object({
  id: z.string(),
  status: PaymentStatus,
  mode: PaymentMode,
  amount: Money,
  txHash: z.string().nullable(),
  agentId: z.string(),
  serviceId: z.string(),
  decisionId: z.string(),
  createdAt: Timestamp,
  refund: z.object({ txHash: z.string().nullable(), reason: z.string(), refundedAt: Timestamp }).nullable(),
});
export type PublicPayment = z.infer<typeof PublicPayment>;

/** `POST /tools/:serviceId/invoke` body. An admin key names the agent; an agent key acts as itself. */
export const InvokeToolBody = z.strictObject({
  agentId: ResourceId.optional(),
  /** the service's default variant when absent; the policy may downgrade it */
  variant: ResourceId.optional(),
  /** the provider's own input (e.g. `{"base": "ETH"}` for PRICE_ORACLE) */
  input: z.record(z.string(), z.unknown()),
});
export type InvokeToolBody = z.infer<typeof InvokeToolBody>;

export const InvokeHeaders = z.object({ [IDEMPOTENCY_KEY_HEADER]: IdempotencyKey.optional() });

/** What a paid call came to: rejected (nothing paid), served, or failed (with what became of the money). */
export const InvokeAnswer = z.object({
  decision: PublicDecision,
  /** null when rejected */
  payment: PublicPayment.nullable(),
  /** the provider's answer; null when rejected or failed */
  result: z.unknown().nullable(),
  /** set when the call failed after the policy allowed it */
  error: ErrorBody.shape.error.nullable().optional(),
  /** set when a payment was made and the call then failed */
  refund: RefundOutcome.nullable().optional(),
  /** set when the call waits for an operator's approval (202, PENDING_APPROVAL) */
  approval: z.object({ id: z.string(), status: DecisionApprovalStatus, expiresAt: Timestamp }).optional(),
});
export type InvokeAnswer = z.infer<typeof InvokeAnswer>;

/** The body of a failed invoke: the error, and the decision and payment it got as far as. */
export const InvokeFailureBody = ErrorBody.extend({
  decision: PublicDecision,
  payment: PublicPayment.nullable(),
  refund: RefundOutcome.nullable(),
});
export type InvokeFailureBody = z.infer<typeof InvokeFailureBody>;

export const ModelChoice = z.enum(['planner', 'openai', 'bedrock']);
export type ModelChoice = z.infer<typeof ModelChoice>;

export const ChatRequest = z.strictObject({
  message: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(4_000)
    .refine((value) => !value.includes('\u0000'), 'must not contain a NUL character'),
  /** the agent to act as; an agent key's own agent by default */
  agentId: ResourceId.optional(),
  /** the model; the configured default when absent */
  model: ModelChoice.optional(),
});
export type ChatRequest = z.infer<typeof ChatRequest>;

/** The four tools of our providers. */
export const BuiltInToolName = z.enum(['generate_image', 'get_price', 'submit_batch_job', 'archive_logs']);
export type BuiltInToolName = z.infer<typeof BuiltInToolName>;
/** The tool of an x402 service of services.yaml: `x402_` and its id in lower case (EXT_WEATHER → x402_ext_weather). */
export const X402ToolName = z.templateLiteral(['x402_', z.string().regex(/^[a-z0-9_]{1,64}$/)]);
export const ToolName = z.union([BuiltInToolName, X402ToolName]);
export type ToolName = z.infer<typeof ToolName>;

export const ChatToolCall = InvokeAnswer.extend({
  tool: ToolName,
  serviceId: z.string(),
  reason: ReasonCode,
  variant: z.string().nullable(),
  amount: Money.nullable(),
});
export type ChatToolCall = z.infer<typeof ChatToolCall>;

export const ChatResponse = z.object({
  agentId: z.string(),
  model: ModelChoice,
  reply: z.string(),
  toolCalls: z.array(ChatToolCall),
  /** true when the model asked for more tool calls than one request may make */
  toolCallLimitReached: z.boolean(),
});
export type ChatResponse = z.infer<typeof ChatResponse>;

/** An agent as the public API shows it: the policy's view without its internal period id. */
export const PublicAgent = Agent.omit({ periodId: true });
export type PublicAgent = z.infer<typeof PublicAgent>;

export const PublicAgentList = Page(PublicAgent);

export const ServiceView = z.object({
  id: z.string(),
  name: z.string(),
  /** `provider`: one of ours (its variants are priced in services.yaml); `x402`: an external x402 service, priced by its 402 answer */
  kind: z.enum(['provider', 'x402']).default('provider'),
  /** an x402 service's resource URL */
  providerUrl: z.string(),
  /** an x402 service's `payTo` */
  payee: z.string(),
  defaultVariant: z.string(),
  /** an x402 service has one variant, `x402`, shown at its maxPrice */
  variants: z.array(z.object({ id: z.string(), price: Money, description: z.string().nullable() })),
  /** an x402 service: the most one call may cost (a dearer 402 answer is refused before paying), and its HTTP method */
  maxPrice: Money.nullable().default(null),
  method: z.enum(['GET', 'POST']).nullable().default(null),
  healthy: z.boolean(),
});
export type ServiceView = z.infer<typeof ServiceView>;

export const ServiceViewList = Page(ServiceView);

/** The policy's treasury-wide standing this period: what every agent together spent and holds against `dailyLimit`. */
export const TreasuryLimit = z.object({
  periodEndsAt: Timestamp,
  dailyLimit: Money,
  spent: Money,
  reserved: Money,
  remaining: Money,
  /** the part of `dailyLimit` only HIGH agents may use, and what of it is still unused */
  highReserve: Money,
  highReserveLeft: Money,
});
export type TreasuryLimit = z.infer<typeof TreasuryLimit>;

export const TreasuryOverview = z.object({
  mode: PaymentMode,
  address: z.string().nullable(),
  chainId: z.number().int().nullable(),
  router: z.string().nullable(),
  token: z.object({ address: z.string(), symbol: z.string(), decimals: z.number().int() }).nullable(),
  /** on-chain MNEE balance; null in mock mode */
  balance: Money.nullable(),
  ledger: z.record(PaymentStatus, z.object({ count: z.number().int(), amount: Money })),
  /** this period's treasury-wide spend and holds against the policy's limit, and the part of it kept for HIGH agents */
  limit: TreasuryLimit,
  /** a block explorer's transaction page (`EXPLORER_TX_URL`, `{hash}` marks the hash); null where the chain is local */
  explorerTxUrl: z.string().nullable(),
  agents: z.array(
    z.object({
      id: z.string(),
      priority: Priority,
      dailyBudget: Money,
      spent: Money,
      reserved: Money,
      remaining: Money,
      paused: z.boolean(),
    }),
  ),
});
export type TreasuryOverview = z.infer<typeof TreasuryOverview>;

const Limit = z.coerce.number().int().min(1).max(200).default(50);
const Cursor = z.string().min(1).max(200).optional();

export const TransactionsQuery = z.strictObject({
  agentId: ResourceId.optional(),
  serviceId: ResourceId.optional(),
  status: PaymentStatus.optional(),
  limit: Limit,
  cursor: Cursor,
});
export type TransactionsQuery = z.infer<typeof TransactionsQuery>;

export const TransactionList = Page(PublicPayment);

export const PolicyLogsQuery = z.strictObject({
  agentId: ResourceId.optional(),
  serviceId: ResourceId.optional(),
  action: DecisionAction.optional(),
  limit: Limit,
  cursor: Cursor,
});
export type PolicyLogsQuery = z.infer<typeof PolicyLogsQuery>;

/** A logged decision: the public decision, as the audit trail holds it. */
export const PolicyLogEntry = PublicDecision.omit({ requestedVariant: true }).extend({ reservationId: z.string().nullable() });
export type PolicyLogEntry = z.infer<typeof PolicyLogEntry>;

export const PolicyLogList = Page(PolicyLogEntry);

export const SimulateBody = z.strictObject({
  agentId: ResourceId.optional(),
  serviceId: ResourceId,
  variant: ResourceId.optional(),
});
export type SimulateBody = z.infer<typeof SimulateBody>;

export const StatsQueryParams = z.strictObject({
  agentId: ResourceId.optional(),
  serviceId: ResourceId.optional(),
  from: Timestamp.optional(),
  to: Timestamp.optional(),
});
export type StatsQueryParams = z.infer<typeof StatsQueryParams>;

/** `GET /stats`: the audit trail's figures (the logger's stats). */
export const GatewayStats = LogStats;
export type GatewayStats = z.infer<typeof GatewayStats>;

export const GatewayResetResponse = z.object({
  periodId: z.number().int(),
  startedAt: Timestamp,
  endsAt: Timestamp,
  previousPeriodId: z.number().int(),
});
export type GatewayResetResponse = z.infer<typeof GatewayResetResponse>;

export const GatewayHealth = z.object({
  status: z.enum(['ok', 'degraded']),
  service: z.literal('gateway'),
  version: z.string(),
  mode: PaymentMode.nullable(),
  dependencies: z.record(z.string(), z.object({ status: z.enum(['ok', 'failing']), error: z.string().optional() })),
});
export type GatewayHealth = z.infer<typeof GatewayHealth>;

/** `GET /whoami`: who a key is — the admin, or one agent (which then sees its own agent only). */
export const KeyHolder = z.object({ kind: z.enum(['admin', 'agent']), agentId: z.string().nullable() });
export type KeyHolder = z.infer<typeof KeyHolder>;
