import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { ConversationMemory, trimToLast } from './conversation-memory';

const turn = (n: number, { withTool = false }: { withTool?: boolean } = {}): BaseMessage[] =>
  withTool
    ? [
        new HumanMessage(`ask ${n}`),
        new AIMessage({ content: '', tool_calls: [{ id: `call_${n}`, name: 'get_price', args: { base: 'ETH' }, type: 'tool_call' }] }),
        new ToolMessage({ tool_call_id: `call_${n}`, content: 'result' }),
        new AIMessage(`reply ${n}`),
      ]
    : [new HumanMessage(`ask ${n}`), new AIMessage(`reply ${n}`)];

const texts = (messages: BaseMessage[]) => messages.map((message) => `${message.getType()}:${message.text}`);

describe('conversation memory', () => {
  it('keeps each agent’s own turns, oldest first', () => {
    const memory = new ConversationMemory({ maxMessages: 10, maxAgents: 5 });
    memory.append('a', turn(1));
    memory.append('b', turn(2));
    memory.append('a', turn(3));

    expect(texts(memory.history('a'))).toEqual(['human:ask 1', 'ai:reply 1', 'human:ask 3', 'ai:reply 3']);
    expect(texts(memory.history('b'))).toEqual(['human:ask 2', 'ai:reply 2']);
    expect(memory.history('c')).toEqual([]);
  });

  it('keeps at most the last N messages, starting at a human message so no tool result is orphaned', () => {
    const memory = new ConversationMemory({ maxMessages: 5, maxAgents: 5 });
    memory.append('a', turn(1, { withTool: true }));
    memory.append('a', turn(2, { withTool: true }));

    // the last five would start with the tool-call reply of turn 1; the history starts at turn 2's question instead
    expect(texts(memory.history('a'))).toEqual(['human:ask 2', 'ai:', 'tool:result', 'ai:reply 2']);
    expect(trimToLast(turn(1, { withTool: true }), 2)).toEqual([]);
  });

  it('forgets the least recently used agent beyond the limit', () => {
    const memory = new ConversationMemory({ maxMessages: 10, maxAgents: 2 });
    memory.append('a', turn(1));
    memory.append('b', turn(2));
    memory.history('a');
    memory.append('c', turn(3));

    expect(memory.size).toBe(2);
    expect(memory.history('b')).toEqual([]);
    expect(texts(memory.history('a'))).toEqual(['human:ask 1', 'ai:reply 1']);
    expect(texts(memory.history('c'))).toEqual(['human:ask 3', 'ai:reply 3']);
  });

  it('keeps nothing when the message limit is 0, and hands out copies', () => {
    const none = new ConversationMemory({ maxMessages: 0, maxAgents: 2 });
    none.append('a', turn(1));
    expect(none.history('a')).toEqual([]);

    const memory = new ConversationMemory({ maxMessages: 10, maxAgents: 2 });
    memory.append('a', turn(1));
    memory.history('a').push(new HumanMessage('not stored'));
    expect(memory.history('a')).toHaveLength(2);
  });
});
