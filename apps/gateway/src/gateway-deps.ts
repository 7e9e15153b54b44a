import type { LoggerClient, PaymentClient, PolicyClient } from '@nexus/clients';
import type { AgentConfig } from '@nexus/config';
import type { ChatRequest, ChatResponse } from '@nexus/types';
import type { ApprovalDesk } from './pipeline/approval-desk';
import type { IdempotentInvoke } from './pipeline/idempotent-invoke';
import type { ServiceDirectory } from './services/service-directory';
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
  /**
   * Waits (briefly) for the commits of served calls that this gateway still
   * owes the policy, so a read of budgets sees this gateway's own calls as
   * spent, not as held.
   */
  queuedCommits?: () => Promise<void>;
}
