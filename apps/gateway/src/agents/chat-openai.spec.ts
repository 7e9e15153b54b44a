import { AppError, createSilentLogger } from '@nexus/service-kit';
import type { PaidCallOutcome } from '../pipeline/paid-call-types';
import { ChatService } from './chat-service';
import { loadModelSettings, type ModelSettings } from './model-settings';
import { parseToolReport } from './tool-report';
import {
  errorAnswer,
  startFakeOpenAi,
  textAnswer,
  toolCallsAnswer,
  toolResults,
  type CompletionAnswer,
  type CompletionRequest,
  type FakeOpenAiServer,
} from './testing/fake-openai-server';
import { RecordingPaidCalls, answerFor, served } from './testing/recording-paid-calls';

const API_KEY = 'sk-loopback-test-key-0123456789';

const priceResult = (base: unknown) => ({
  base,
  quote: 'USD',
  price: '3150.25',
  source: 'test-feed',
  timestamp: '2026-03-10T12:00:00.000Z',
});

describe('chat through the OpenAI chat-completions API (real ChatOpenAI, loopback server)', () => {
  let server: FakeOpenAiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function chatService(
    script: (request: CompletionRequest, index: number) => CompletionAnswer,
    options: { paidCalls?: RecordingPaidCalls; env?: Record<string, string> } = {},
  ) {
    server = await startFakeOpenAi(script);
    const paidCalls = options.paidCalls ?? new RecordingPaidCalls(served((request) => priceResult(request.input['base'])));
    const { models, chat } = loadModelSettings({ OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: server.url, ...options.env });
    return { service: new ChatService({ paidCalls, models, settings: chat, logger: createSilentLogger() }), paidCalls, server };
  }

  const failure = async (promise: Promise<unknown>): Promise<AppError> => {
    const error = await promise.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
    return error;
  };

  it('offers the four tools, pays the call the model asks for, sends the decision back and returns the final reply', async () => {
    const { service, paidCalls, server } = await chatService((_request, index) =>
      index === 0 ? toolCallsAnswer([{ id: 'call_eth', name: 'get_price', args: { base: 'ETH' } }]) : textAnswer('ETH is 3150.25 USD.'),
    );

    const response = await service.chat({ agentId: 'user-agent', message: 'What is ETH worth?', requestId: 'req-1' });

    expect(response).toMatchObject({ agentId: 'user-agent', model: 'openai', reply: 'ETH is 3150.25 USD.', toolCallLimitReached: false });
    const [first, second] = server.requests;
    expect(first?.authorization).toBe(`Bearer ${API_KEY}`);
    expect(first?.body.model).toBe('gpt-4o-mini');
    expect(JSON.stringify(first?.body.messages[0])).toContain('user-agent');
    const tools = new Map(first?.body.tools?.map((tool) => [tool.function.name, tool.function.parameters]));
    expect([...tools.keys()].sort()).toEqual(['archive_logs', 'generate_image', 'get_price', 'submit_batch_job']);
    expect(tools.get('get_price')).toMatchObject({ type: 'object', required: ['base'], properties: { base: { type: 'string' } } });
    expect(tools.get('generate_image')).toMatchObject({
      type: 'object',
      required: ['prompt'],
      properties: { variant: { enum: ['standard', 'draft'] } },
    });
    expect(tools.get('submit_batch_job')).toMatchObject({
      type: 'object',
      required: ['kind'],
      properties: { kind: { enum: expect.arrayContaining(['primes']) } },
    });
    expect(tools.get('archive_logs')).toMatchObject({
      type: 'object',
      required: ['lines'],
      properties: { variant: { enum: ['full', 'summary'] } },
    });

    expect(paidCalls.requests).toEqual([
      expect.objectContaining({ agentId: 'user-agent', serviceId: 'PRICE_ORACLE', input: { base: 'ETH' }, requestId: 'req-1' }),
    ]);
    const report = parseToolReport(second ? (toolResults(second).get('call_eth') ?? '') : '');
    expect(report).toMatchObject({
      outcome: 'served',
      decision: { action: 'ALLOWED', reason: 'WITHIN_POLICY' },
      result: { price: '3150.25' },
    });
    expect(response.toolCalls).toEqual([
      expect.objectContaining({ tool: 'get_price', serviceId: 'PRICE_ORACLE', reason: 'WITHIN_POLICY', result: priceResult('ETH') }),
    ]);
  });

  it('tells the model why the policy rejected a call, and pays nothing for it', async () => {
    const paidCalls = new RecordingPaidCalls((request): PaidCallOutcome => ({
      kind: 'rejected',
      answer: answerFor(request, {
        action: 'REJECTED',
        reason: 'DAILY_BUDGET_EXCEEDED',
        message: 'daily budget of 5.00 MNEE would be exceeded',
        amount: '0.50',
      }),
    }));
    const { service, server } = await chatService(
      (_request, index) =>
        index === 0
          ? toolCallsAnswer([{ id: 'call_img', name: 'generate_image', args: { prompt: 'a lighthouse' } }])
          : textAnswer('The image was rejected: the daily budget would be exceeded.'),
      { paidCalls },
    );

    const response = await service.chat({ agentId: 'user-agent', message: 'Draw a lighthouse' });

    const sent = toolResults(server.requests[1] ?? { authorization: undefined, body: { messages: [] } }).get('call_img') ?? '';
    expect(parseToolReport(sent)).toMatchObject({
      outcome: 'rejected',
      charged: false,
      decision: { action: 'REJECTED', reason: 'DAILY_BUDGET_EXCEEDED', message: 'daily budget of 5.00 MNEE would be exceeded' },
      payment: null,
    });
    expect(response.toolCalls).toEqual([
      expect.objectContaining({ tool: 'generate_image', reason: 'DAILY_BUDGET_EXCEEDED', payment: null, result: null }),
    ]);
    expect(response.reply).toBe('The image was rejected: the daily budget would be exceeded.');
  });

  it('runs only as many paid calls as the cap allows and says the limit was reached', async () => {
    const asked = ['ETH', 'BTC', 'SOL', 'MNEE'].map((base) => ({ id: `call_${base}`, name: 'get_price', args: { base } }));
    const { service, paidCalls, server } = await chatService(
      (_request, index) => (index === 0 ? toolCallsAnswer(asked) : textAnswer('Two prices; the other two were over the limit.')),
      { env: { CHAT_MAX_TOOL_CALLS: '2' } },
    );

    const response = await service.chat({ agentId: 'user-agent', message: 'Prices of ETH, BTC, SOL and MNEE' });

    expect(paidCalls.requests.map((request) => request.input['base'])).toEqual(['ETH', 'BTC']);
    expect(response.toolCallLimitReached).toBe(true);
    expect(response.toolCalls).toHaveLength(2);
    const sent = toolResults(server.requests[1] ?? { authorization: undefined, body: { messages: [] } });
    expect(sent.get('call_SOL')).toMatch(/limit exceeded/i);
    expect(sent.get('call_MNEE')).toMatch(/limit exceeded/i);
    expect(parseToolReport(sent.get('call_ETH') ?? '')).toMatchObject({ outcome: 'served' });
  });

  it('keeps the tool calls of a server that gives every completion the same id', async () => {
    const { service, paidCalls } = await chatService((_request, index) =>
      index === 0
        ? toolCallsAnswer([{ id: 'call_eth', name: 'get_price', args: { base: 'ETH' } }], 'chatcmpl-same')
        : textAnswer('ETH is 3150.25 USD.', 'chatcmpl-same'),
    );

    const response = await service.chat({ agentId: 'user-agent', message: 'What is ETH worth?' });

    expect(paidCalls.requests).toHaveLength(1);
    expect(response.toolCalls).toHaveLength(1);
    expect(response.reply).toBe('ETH is 3150.25 USD.');
    const remembered = service.memory.history('user-agent');
    expect(remembered.map((message) => message.getType())).toEqual(['human', 'ai', 'tool', 'ai']);
  });

  it('gives each tool call its own idempotency key', async () => {
    const { service, paidCalls } = await chatService((_request, index) =>
      index === 0
        ? toolCallsAnswer([
            { id: 'call_a', name: 'get_price', args: { base: 'ETH' } },
            { id: 'call_b', name: 'get_price', args: { base: 'ETH' } },
          ])
        : textAnswer('done'),
    );

    await service.chat({ agentId: 'user-agent', message: 'ETH twice' });
    await service.chat({ agentId: 'user-agent', message: 'ETH twice' });

    const keys = paidCalls.requests.map((request) => request.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
  });

  it('remembers the conversation per agent: the next request carries the earlier turn, another agent’s does not', async () => {
    const { service, server } = await chatService((request) => textAnswer(`answer ${request.body.messages.length}`));

    await service.chat({ agentId: 'user-agent', message: 'first message' });
    await service.chat({ agentId: 'user-agent', message: 'second message' });
    await service.chat({ agentId: 'ops-agent', message: 'ops message' });

    const contents = (index: number) =>
      server.requests[index]?.body.messages.map((message) => `${message.role}:${JSON.stringify(message.content)}`) ?? [];
    expect(contents(1).slice(1)).toEqual(['user:"first message"', 'assistant:"answer 2"', 'user:"second message"']);
    expect(contents(2).slice(1)).toEqual(['user:"ops message"']);
  });

  it('answers 502 UPSTREAM_ERROR when the model server fails, and pays nothing', async () => {
    const { service, paidCalls } = await chatService(() => errorAnswer(500, 'the server had an error'));

    const error = await failure(service.chat({ agentId: 'user-agent', message: 'hello' }));

    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', status: 502 });
    expect(error.message).toContain('HTTP 500');
    expect(paidCalls.requests).toHaveLength(0);
  });

  it('answers 502 UPSTREAM_ERROR for a refused key without repeating the key', async () => {
    const { service } = await chatService(() => errorAnswer(401, `Incorrect API key provided: ${API_KEY}`, 'invalid_request_error'));

    const error = await failure(service.chat({ agentId: 'user-agent', message: 'hello' }));

    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', status: 502 });
    expect(error.message).toMatch(/refused the credentials \(HTTP 401\)/);
    expect(JSON.stringify({ message: error.message, cause: String(error.cause), details: error.details })).not.toContain(API_KEY);
  });

  it('answers 503 UPSTREAM_UNAVAILABLE when nothing listens at the model server address', async () => {
    const { service, server } = await chatService(() => textAnswer('never'));
    await server.close();

    const error = await failure(service.chat({ agentId: 'user-agent', message: 'hello' }));

    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503 });
  });

  it('answers 504 UPSTREAM_TIMEOUT when the model server does not answer in time', async () => {
    server = await startFakeOpenAi(() => 'hold');
    const models: ModelSettings = {
      default: 'openai',
      openai: { apiKey: API_KEY, baseUrl: server.url, model: 'gpt-4o-mini' },
      bedrock: null,
      timeoutMs: 200,
    };
    const service = new ChatService({
      paidCalls: new RecordingPaidCalls(),
      models,
      settings: { maxToolCalls: 6, memoryMessages: 20, memoryAgents: 10 },
      logger: createSilentLogger(),
    });

    // Jest runs a test in its own realm, where the AbortError DOMException that Node's fetch rejects with is not an `Error`,
    // so the OpenAI SDK would not see the abort of its timeout for what it is; hand it a test-realm error, as Node does outside Jest.
    const nodeFetch = globalThis.fetch;
    const fetchSpy = jest.spyOn(globalThis, 'fetch').mockImplementation((...args: Parameters<typeof fetch>) =>
      nodeFetch(...args).catch((reason: unknown) => {
        const { name, message } = reason as { name: string; message: string };
        throw Object.assign(new Error(message), { name });
      }),
    );
    try {
      const error = await failure(service.chat({ agentId: 'user-agent', message: 'hello' }));

      expect(error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', status: 504 });
    } finally {
      fetchSpy.mockRestore();
    }
  });
});
