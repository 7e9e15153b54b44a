import type { ChatResponse } from '@nexus/types';
import { lazyChat } from './lazy-chat';

const answer = (agentId: string) =>
  ({ agentId, model: 'planner', reply: 'ok', toolCalls: [], toolCallLimitReached: false }) as unknown as ChatResponse;

describe('lazyChat', () => {
  it('builds the chat on the first chat only, then keeps it', async () => {
    const load = jest.fn(async () => ({ chat: async ({ agentId }: { agentId: string }) => answer(agentId) }));
    const chat = lazyChat(load);
    expect(load).not.toHaveBeenCalled();
    await Promise.all([chat.chat({ agentId: 'a', message: 'hi' }), chat.chat({ agentId: 'b', message: 'hi' })]);
    expect((await chat.chat({ agentId: 'c', message: 'hi' })).agentId).toBe('c');
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('tries the load again on the next chat after it failed', async () => {
    const load = jest
      .fn<Promise<{ chat: (request: { agentId: string }) => Promise<ChatResponse> }>, []>()
      .mockRejectedValueOnce(new Error('cannot load the model client'))
      .mockResolvedValue({ chat: async ({ agentId }) => answer(agentId) });
    const chat = lazyChat(load);
    await expect(chat.chat({ agentId: 'a', message: 'hi' })).rejects.toThrow('cannot load the model client');
    expect((await chat.chat({ agentId: 'a', message: 'hi' })).agentId).toBe('a');
    expect(load).toHaveBeenCalledTimes(2);
  });
});
