import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { randomUUID } from 'node:crypto';
import { createAgent, createMiddleware, modelCallLimitMiddleware, toolCallLimitMiddleware } from 'langchain';
import { AppError, describeError, type Logger } from '@nexus/service-kit';
import type { ChatResponse, ChatToolCall, ModelChoice } from '@nexus/types';
import type { PaidCalls } from '../pipeline/paid-call-types';
import { createChatModel } from './chat-models';
import { ConversationMemory } from './conversation-memory';
import { modelFailure } from './model-errors';
import type { ChatSettings, ModelSettings } from './model-settings';
import { summariseToolMessages, toolResultsInOrder } from './planner-model';
import type { X402PaidService } from '../services/service-directory';
import { createPaidTools } from './tools';

export interface ChatServiceOptions {
  paidCalls: PaidCalls;
  /** the x402 services of services.yaml: the agents get a paid tool for each */
  x402Services?: readonly X402PaidService[];
  models: ModelSettings;
  settings: ChatSettings;
  logger: Logger;
  /** builds the chat model for a choice; `createChatModel` with `models` by default (tests inject loopback or mocked clients) */
  modelFactory?: (choice: ModelChoice) => BaseChatModel | Promise<BaseChatModel>;
  /** the conversations; a new bounded in-memory one by default */
  memory?: ConversationMemory;
}

export interface ChatInput {
  agentId: string;
  message: string;
  /** the configured default when absent */
  model?: ModelChoice;
  requestId?: string;
}

export function systemPrompt(agentId: string, maxToolCalls: number): string {
  return [
    `You are the assistant of agent "${agentId}" in MNEE Nexus, a treasury that pays for tool calls in the MNEE stablecoin.`,
    'Every tool call costs MNEE from this agent’s budget. Before it is paid, a policy judges it: it may be ALLOWED,',
    'DOWNGRADED to a cheaper variant (e.g. a draft image, a summary-only log archive) or REJECTED (budget, per-call limit,',
    'a share reserved for higher-priority agents, a service the agent may not use). Each tool answers with the decision,',
    'its reason code and message, the payment and the result.',
    `Use a tool only when the user asks for what it does; at most ${maxToolCalls} tool calls per request.`,
    'In your reply, say for each call what was decided and why, what was paid (amount, transaction) and what came back;',
    'explain a rejection or a downgrade in plain words and never claim a rejected call was done.',
  ].join(' ');
}

/** Bounded steps: every model call may be followed by one round of tools, and the model gets a couple of turns more than the cap. */
const modelCallsFor = (maxToolCalls: number) => maxToolCalls + 2;

/**
 * LangChain keys a conversation's messages by id and replaces a message when
 * a new one has the same id; OpenAI-compatible servers that reuse completion
 * ids would so overwrite the model's tool calls. A reply whose id is taken
 * gets a fresh one.
 */
const freshMessageIds = createMiddleware({
  name: 'FreshMessageIds',
  wrapModelCall: async (request, handler) => {
    const message = await handler(request);
    const taken = new Set(request.messages.map((earlier) => earlier.id));
    if (message.id !== undefined && taken.has(message.id)) message.id = `msg_${randomUUID()}`;
    return message;
  },
});

const requestedToolCalls = (messages: readonly BaseMessage[]) =>
  messages.reduce((sum, message) => sum + (AIMessage.isInstance(message) ? (message.tool_calls?.length ?? 0) : 0), 0);

/**
 * Runs one chat turn: a NEW LangChain agent per request with the agent's four
 * paid tools, its conversation memory as prior messages, a cap on tool calls
 * (the model's calls beyond it are answered "limit exceeded" and never paid)
 * and a bound on model calls. A call that cannot be decided at all (the
 * policy service is down) stops the run: the chat answers with that error
 * (503/504...), since nothing was decided; calls already made in the run are
 * in the logs and the ledger. Nothing of a failed turn is remembered.
 */
export class ChatService {
  readonly memory: ConversationMemory;
  readonly #models = new Map<ModelChoice, Promise<BaseChatModel>>();

  constructor(private readonly options: ChatServiceOptions) {
    this.memory =
      options.memory ?? new ConversationMemory({ maxMessages: options.settings.memoryMessages, maxAgents: options.settings.memoryAgents });
  }

  async chat(input: ChatInput): Promise<ChatResponse> {
    const { agentId, requestId } = input;
    const choice = input.model ?? this.options.models.default;
    const model = await this.#model(choice);
    const cap = this.options.settings.maxToolCalls;

    const toolCalls: ChatToolCall[] = [];
    let unavailable: AppError | undefined;
    const stop = new AbortController();
    const tools = createPaidTools({
      paidCalls: this.options.paidCalls,
      ...(this.options.x402Services ? { x402Services: this.options.x402Services } : {}),
      agentId,
      ...(requestId === undefined ? {} : { requestId }),
      record: (call) => toolCalls.push(call),
      signal: stop.signal,
      onUnavailable: (error) => {
        unavailable ??= error;
        stop.abort(error);
      },
    });
    const agent = createAgent({
      model,
      tools,
      systemPrompt: systemPrompt(agentId, cap),
      middleware: [
        toolCallLimitMiddleware({ runLimit: cap, exitBehavior: 'continue' }),
        modelCallLimitMiddleware({ runLimit: modelCallsFor(cap), exitBehavior: 'end' }),
        freshMessageIds,
      ],
    });

    const history = this.memory.history(agentId);
    const started = Date.now();
    let messages: BaseMessage[];
    try {
      const result = await agent.invoke(
        { messages: [...history, new HumanMessage(input.message)] },
        { signal: stop.signal, recursionLimit: 10 * (modelCallsFor(cap) + 1) },
      );
      messages = result.messages;
    } catch (error) {
      const failure = unavailable ?? modelFailure(error, choice, this.#secrets());
      this.options.logger.warn('chat failed', {
        agentId,
        model: choice,
        code: failure.code,
        status: failure.status,
        toolCalls: toolCalls.length,
        ...(failure.status >= 500 && failure.code === 'INTERNAL_ERROR' ? { error: describeError(error) } : {}),
      });
      throw failure;
    }

    // the stop may come too late to interrupt the run; a call that could not be decided still fails the chat
    if (unavailable) throw unavailable;
    const turn = messages.slice(history.length);
    const toolCallLimitReached = requestedToolCalls(turn) > cap;
    const last = turn.findLast((message) => AIMessage.isInstance(message));
    const results = toolResultsInOrder(turn);
    const reply = last?.text.trim() || (results.length > 0 ? summariseToolMessages(results) : 'The model gave no answer.');
    this.memory.append(agentId, turn);
    this.options.logger.info('chat answered', {
      agentId,
      model: choice,
      toolCalls: toolCalls.length,
      toolCallLimitReached,
      durationMs: Date.now() - started,
    });
    return { agentId, model: choice, reply, toolCalls, toolCallLimitReached };
  }

  #model(choice: ModelChoice): Promise<BaseChatModel> {
    const known = this.#models.get(choice);
    if (known) return known;
    const model = Promise.resolve(
      this.options.modelFactory ? this.options.modelFactory(choice) : createChatModel(choice, this.options.models),
    );
    // A model that could not be built (not configured) is not kept: the next request asks again.
    model.catch(() => this.#models.delete(choice));
    this.#models.set(choice, model);
    return model;
  }

  #secrets(): string[] {
    return this.options.models.openai ? [this.options.models.openai.apiKey] : [];
  }
}
