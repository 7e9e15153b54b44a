import { createHash } from 'node:crypto';
import { BaseChatModel, type BaseChatModelCallOptions, type BindToolsInput } from '@langchain/core/language_models/chat_models';
import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { sumMoney } from '@nexus/types';
import { planToolCalls, type PlannedCall } from './planner-intents';
import { describeToolReport, parseToolReport, type ToolReport } from './tool-report';

export const PLANNER_HELP =
  'I am the built-in planner: I turn a request into paid tool calls, each judged by the policy before it is paid in MNEE. ' +
  'I can generate an image ("draw a lighthouse at dusk", "a draft picture of a cat"), get prices ("price of ETH and BTC in EUR"), ' +
  'submit a batch job ("count the primes below 1000000", "hash chain of 5000 rounds") and archive logs ("archive these logs as a summary:" ' +
  'followed by lines such as "ERROR disk full"). Ask for several at once and I will make the calls in order.';

/** Tool call ids unique within the conversation the planner sees, and the same for the same conversation. */
function toolCallIds(messages: BaseMessage[], count: number): string[] {
  const taken = new Set<string>();
  for (const message of messages) {
    if (AIMessage.isInstance(message)) for (const call of message.tool_calls ?? []) if (call.id) taken.add(call.id);
    if (ToolMessage.isInstance(message)) taken.add(message.tool_call_id);
  }
  const context = createHash('sha256');
  for (const message of messages) context.update(`${message.getType()}\u0000${message.text}\u0000`);
  for (const id of taken) context.update(`${id}\u0000`);
  const seed = context.digest('hex');
  const ids: string[] = [];
  for (let index = 0, attempt = 0; ids.length < count; attempt += 1) {
    const id = `call_${createHash('sha256').update(`${seed}:${index}:${attempt}`).digest('hex').slice(0, 24)}`;
    if (taken.has(id)) continue;
    taken.add(id);
    ids.push(id);
    index += 1;
  }
  return ids;
}

const LIMIT_NOTICE = /tool call limit exceeded/i;

function describeToolMessage(message: ToolMessage): { line: string; report: ToolReport | null } {
  const report = parseToolReport(message.text);
  if (report) return { line: describeToolReport(report), report };
  const name = message.name ?? 'a tool';
  if (LIMIT_NOTICE.test(message.text))
    return { line: `${name} was not run: this request reached its cap on paid tool calls. Nothing was charged.`, report: null };
  return { line: `${name} was not run: ${message.text.slice(0, 300)}`, report: null };
}

/** The tool results among `messages`, in the order the model asked for the calls (a blocked call's notice arrives first otherwise). */
export function toolResultsInOrder(messages: readonly BaseMessage[]): ToolMessage[] {
  const order = messages.flatMap((message) => (AIMessage.isInstance(message) ? (message.tool_calls ?? []).map((call) => call.id) : []));
  const position = (message: ToolMessage) => {
    const at = order.indexOf(message.tool_call_id);
    return at < 0 ? order.length : at;
  };
  return messages.filter((message): message is ToolMessage => ToolMessage.isInstance(message)).sort((a, b) => position(a) - position(b));
}

/** The planner's reply once the results are back: each call in order, then what was spent. */
export function summariseToolMessages(messages: ToolMessage[]): string {
  const described = messages.map(describeToolMessage);
  const charged = sumMoney(described.flatMap(({ report }) => (report?.charged && report.payment ? [report.payment.amount] : [])));
  const lines = described.map(({ line }) => `- ${line}`);
  return [`Here is what happened:`, ...lines, `Spent in this request: ${charged} MNEE.`].join('\n');
}

/** What the planner answers to a conversation: tool calls for a new request, a summary once their results are back. */
export function plannerReply(messages: BaseMessage[], now: Date): AIMessage {
  const lastHuman = messages.findLastIndex((message) => HumanMessage.isInstance(message));
  const human = messages[lastHuman];
  const since = messages.slice(lastHuman + 1);
  if (!since.some((message) => AIMessage.isInstance(message))) {
    const planned: PlannedCall[] = human ? planToolCalls(human.text, now) : [];
    if (planned.length === 0) return new AIMessage(`I did not find anything to do in that message. ${PLANNER_HELP}`);
    const ids = toolCallIds(messages, planned.length);
    return new AIMessage({
      content: '',
      tool_calls: planned.map((call, index) => ({
        id: ids[index] ?? `call_${index}`,
        name: call.name,
        args: call.args,
        type: 'tool_call',
      })),
    });
  }
  const results = toolResultsInOrder(since);
  if (results.length === 0) return new AIMessage(`Nothing more to do. ${PLANNER_HELP}`);
  return new AIMessage(summariseToolMessages(results));
}

export interface PlannerOptions {
  /** stamps log lines the message gives without a timestamp; the wall clock by default */
  clock?: () => Date;
}

/**
 * The deterministic built-in chat model, used when no LLM is configured: it
 * maps the last human message to tool calls by intent (see planToolCalls),
 * then, once their results are back, writes a reply that explains each
 * decision. It ignores the tools it is bound to: it only plans the four paid
 * tools, whose names it knows.
 */
export class PlannerChatModel extends BaseChatModel {
  readonly #clock: () => Date;

  constructor(options: PlannerOptions = {}) {
    super({});
    this.#clock = options.clock ?? (() => new Date());
  }

  static override lc_name(): string {
    return 'PlannerChatModel';
  }

  _llmType(): string {
    return 'nexus-planner';
  }

  override bindTools(_tools: BindToolsInput[], _kwargs?: Partial<BaseChatModelCallOptions>): this {
    return this;
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const message = plannerReply(messages, this.#clock());
    return { generations: [{ text: message.text, message }] };
  }
}
