import type { LogOutbox, LoggerClient, PaymentClient, PolicyClient } from '@nexus/clients';
import type { AgentConfig } from '@nexus/config';
import type { Logger } from '@nexus/service-kit';
import type { ChatRequest, ChatResponse } from '@nexus/types';
import type { ApprovalDesk } from './pipeline/approval-desk';
import type { StreamTickets } from './access/stream-tickets';
import type { StreamProxies } from './live/stream-proxy';
import type { IdempotentInvoke } from './pipeline/idempotent-invoke';
import type { ServiceDirectory } from './services/service-directory';
import type { X402Quoter } from './x402/x402-quoter';
import type { ServiceHealth } from './services/service-health';

/** Runs a chat turn for one agent (the LangChain agents). */
export interface Chat {
  chat(request: { agentId: string; message: string; model?: ChatRequest['model']; requestId?: string }): Promise<ChatResponse>;
}

/** What the public API's routes work with. */
export interface GatewayDeps {
  policy: PolicyClient;
  payments: PaymentClient;
  logs: LoggerClient;
  services: ServiceDirectory;
  health: ServiceHealth;
  invoke: IdempotentInvoke;
  /** approvals of calls above a threshold: the admin's answers, and the approved calls run */
  approvals: ApprovalDesk;
  chat: Chat;
  /** the configured agents (agents.yaml): who exists */
  agents: readonly AgentConfig[];
  version: string;
  /** a block explorer's transaction page, `{hash}` where the hash goes (EXPLORER_TX_URL); null when unset */
  explorerTxUrl: string | null;
  /** the durable log outbox: what this gateway tells the audit trail (agent changes, besides the paid calls') */
  audit: Pick<LogOutbox, 'record'>;
  /** open event streams, each piped from the logger's */
  streams: StreamProxies;
  /** single-use tickets that open an event stream without a key (a browser's EventSource) */
  tickets: StreamTickets;
  /**
   * Waits (briefly) for the commits of served calls that this gateway still
   * owes the policy, so a read of budgets sees this gateway's own calls as
   * spent, not as held.
   */
  queuedCommits?: () => Promise<void>;
  /** an x402 service's price for a dry run of the policy (docs/x402.md, "Paying x402 APIs") */
  x402Quoter: Pick<X402Quoter, 'simulationPrice'>;
  logger: Logger;
}
