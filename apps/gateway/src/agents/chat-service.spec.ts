import { AppError, createSilentLogger } from '@nexus/service-kit';
import { ChatResponse } from '@nexus/types';
import type { PaidCallOutcome } from '../pipeline/paid-call-types';
import { ChatService } from './chat-service';
import { loadModelSettings } from './model-settings';
import { RecordingPaidCalls, answerFor, served } from './testing/recording-paid-calls';

function chatService(paidCalls: RecordingPaidCalls, env: Record<string, string> = {}) {
  const { models, chat } = loadModelSettings({ LLM_PROVIDER: 'planner', ...env });
  return new ChatService({ paidCalls, models, settings: chat, logger: createSilentLogger() });
}

const failure = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );

describe('chat with the built-in planner', () => {
  it('makes the paid calls the message asks for, in order, and explains each', async () => {
    const paidCalls = new RecordingPaidCalls((request, index): PaidCallOutcome =>
      index === 0
        ? { kind: 'served', answer: answerFor(request, {}, { base: 'ETH', quote: 'USD', price: '3150.25', source: 'feed' }) }
        : {
            kind: 'rejected',
            answer: answerFor(request, {
              action: 'REJECTED',
              reason: 'PER_CALL_LIMIT_EXCEEDED',
              message: 'every variant costs more than 0.10 MNEE',
            }),
          },
    );
    const service = chatService(paidCalls);

    const response = await service.chat({ agentId: 'ops-agent', message: 'What is the price of ETH? Then draw a fox.' });

    expect(ChatResponse.parse(response)).toEqual(response);
    expect(response).toMatchObject({ agentId: 'ops-agent', model: 'planner', toolCallLimitReached: false });
    expect(response.toolCalls.map((call) => [call.tool, call.reason])).toEqual([
      ['get_price', 'WITHIN_POLICY'],
      ['generate_image', 'PER_CALL_LIMIT_EXCEEDED'],
    ]);
    expect(response.reply).toMatch(/get_price \(PRICE_ORACLE\) was ALLOWED.*ETH\/USD = 3150\.25/);
    expect(response.reply).toMatch(
      /generate_image \(IMAGE_GEN\) was REJECTED \(PER_CALL_LIMIT_EXCEEDED\): every variant costs more than 0\.10 MNEE/,
    );
    expect(paidCalls.requests.map((request) => request.agentId)).toEqual(['ops-agent', 'ops-agent']);
  });

  it('pays no more calls than the cap and says the cap was reached', async () => {
    const paidCalls = new RecordingPaidCalls();
    const service = chatService(paidCalls, { CHAT_MAX_TOOL_CALLS: '2' });

    const response = await service.chat({ agentId: 'user-agent', message: 'prices of ETH, BTC, SOL and MNEE' });

    expect(paidCalls.requests.map((request) => request.input['base'])).toEqual(['ETH', 'BTC']);
    expect(response.toolCalls).toHaveLength(2);
    expect(response.toolCallLimitReached).toBe(true);
    expect(response.reply.match(/reached its cap on paid tool calls/g)).toHaveLength(2);
  });

  it('stops and answers with the error when a call cannot be decided, remembering nothing of the turn', async () => {
    const down = new AppError('UPSTREAM_UNAVAILABLE', 'policy cannot be reached');
    const paidCalls = new RecordingPaidCalls(() => Promise.reject(down));
    const service = chatService(paidCalls);

    const error = await failure(service.chat({ agentId: 'user-agent', message: 'prices of ETH, BTC and SOL' }));

    expect(error).toBe(down);
    expect(paidCalls.requests).toHaveLength(1);
    expect(service.memory.history('user-agent')).toEqual([]);
  });

  it('remembers the turns per agent and plans a repeated request afresh', async () => {
    const paidCalls = new RecordingPaidCalls(served());
    const service = chatService(paidCalls);

    await service.chat({ agentId: 'user-agent', message: 'price of ETH' });
    const second = await service.chat({ agentId: 'user-agent', message: 'price of ETH' });

    expect(second.toolCalls).toHaveLength(1);
    expect(paidCalls.requests).toHaveLength(2);
    expect(service.memory.history('user-agent').map((message) => message.getType())).toEqual([
      'human',
      'ai',
      'tool',
      'ai',
      'human',
      'ai',
      'tool',
      'ai',
    ]);
    expect(service.memory.history('batch-agent')).toEqual([]);
  });

  it('explains what it can do when the message asks for nothing, and pays nothing', async () => {
    const paidCalls = new RecordingPaidCalls();
    const service = chatService(paidCalls);

    const response = await service.chat({ agentId: 'user-agent', message: 'good morning' });

    expect(response).toMatchObject({ toolCalls: [], toolCallLimitReached: false });
    expect(response.reply).toContain('I can generate an image');
    expect(paidCalls.requests).toHaveLength(0);
  });

  it('uses the model asked for per request, and refuses one that is not configured with 422', async () => {
    const paidCalls = new RecordingPaidCalls();
    const withOpenAi = chatService(paidCalls, { LLM_PROVIDER: 'auto', OPENAI_API_KEY: 'sk-unused', OPENAI_BASE_URL: 'http://127.0.0.1:9' });
    await expect(withOpenAi.chat({ agentId: 'user-agent', message: 'good morning', model: 'planner' })).resolves.toMatchObject({
      model: 'planner',
    });

    const plannerOnly = chatService(paidCalls);
    await expect(failure(plannerOnly.chat({ agentId: 'user-agent', message: 'hi', model: 'bedrock' }))).resolves.toMatchObject({
      code: 'MODEL_NOT_CONFIGURED',
      status: 422,
    });
  });
});
