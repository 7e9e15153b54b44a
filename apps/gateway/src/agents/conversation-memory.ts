import { HumanMessage, type BaseMessage } from '@langchain/core/messages';

export interface ConversationMemoryOptions {
  /** messages kept per agent (0 keeps none) */
  maxMessages: number;
  /** agents remembered; the least recently used is forgotten first */
  maxAgents: number;
}

/**
 * The last messages of each agent's conversation, bounded per agent and in
 * the number of agents (least recently used evicted). A history is trimmed
 * as `trimMessages({strategy: 'last', startOn: 'human'})` would: the newest
 * messages that fit, starting at a human message, so it never begins with a
 * tool result or a tool call whose results were cut off.
 *
 * In process memory only: a restart (or another replica) starts with no
 * history. Tool results are kept in the compact form the model saw.
 */
export class ConversationMemory {
  readonly #conversations = new Map<string, readonly BaseMessage[]>();

  constructor(private readonly options: ConversationMemoryOptions) {}

  /** The agent's history, oldest first (a copy). */
  history(agentId: string): BaseMessage[] {
    const messages = this.#conversations.get(agentId);
    if (!messages) return [];
    this.#touch(agentId, messages);
    return [...messages];
  }

  /** Adds one turn (the human message and everything after it) and trims. */
  append(agentId: string, turn: readonly BaseMessage[]): void {
    if (this.options.maxMessages <= 0) return;
    const trimmed = trimToLast([...(this.#conversations.get(agentId) ?? []), ...turn], this.options.maxMessages);
    if (trimmed.length === 0) {
      this.#conversations.delete(agentId);
      return;
    }
    this.#touch(agentId, trimmed);
    while (this.#conversations.size > this.options.maxAgents) {
      const oldest = this.#conversations.keys().next().value;
      if (oldest === undefined) break;
      this.#conversations.delete(oldest);
    }
  }

  /** Agents with a history. */
  get size(): number {
    return this.#conversations.size;
  }

  #touch(agentId: string, messages: readonly BaseMessage[]) {
    this.#conversations.delete(agentId);
    this.#conversations.set(agentId, messages);
  }
}

/** The newest `max` messages, then dropped up to the first human message. */
export function trimToLast(messages: readonly BaseMessage[], max: number): BaseMessage[] {
  const tail = max <= 0 ? [] : messages.slice(-max);
  const start = tail.findIndex((message) => HumanMessage.isInstance(message));
  return start < 0 ? [] : tail.slice(start);
}
