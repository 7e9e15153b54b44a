import {
  AccessDeniedException,
  BedrockRuntimeClient,
  ConverseCommand,
  type ContentBlock,
  type ConverseCommandInput,
  type ConverseCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { AppError, createSilentLogger } from '@nexus/service-kit';
import { createChatModel } from './chat-models';
import { ChatService } from './chat-service';
import { loadModelSettings } from './model-settings';
import { parseToolReport } from './tool-report';
import { RecordingPaidCalls, served } from './testing/recording-paid-calls';

const MODEL_ID = 'anthropic.claude-3-5-haiku-20241022-v1:0';

const converseAnswer = (content: ContentBlock[], stopReason: ConverseCommandOutput['stopReason']): ConverseCommandOutput => ({
  output: { message: { role: 'assistant', content } },
  stopReason,
  usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
  metrics: { latencyMs: 1 },
  $metadata: { httpStatusCode: 200 },
});

describe('chat through AWS Bedrock (real ChatBedrockConverse, mocked Bedrock runtime client)', () => {
  const client = new BedrockRuntimeClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const bedrock = mockClient(client);
  afterEach(() => bedrock.reset());

  function chatService(paidCalls = new RecordingPaidCalls(served(() => ({ base: 'ETH', quote: 'USD', price: '3150.25' })))) {
    const { models, chat } = loadModelSettings({ BEDROCK_MODEL_ID: MODEL_ID, AWS_REGION: 'eu-west-1' });
    const service = new ChatService({
      paidCalls,
      models,
      settings: chat,
      logger: createSilentLogger(),
      modelFactory: (choice) => createChatModel(choice, models, { bedrockClient: client }),
    });
    return { service, paidCalls, models };
  }

  it('offers the four tools, runs the paid call Bedrock asks for and returns its final text', async () => {
    bedrock
      .on(ConverseCommand)
      .resolvesOnce(converseAnswer([{ toolUse: { toolUseId: 'tooluse_eth', name: 'get_price', input: { base: 'ETH' } } }], 'tool_use'))
      .resolvesOnce(converseAnswer([{ text: 'ETH is 3150.25 USD; that cost 0.05 MNEE.' }], 'end_turn'));
    const { service, paidCalls, models } = chatService();
    expect(models.default).toBe('bedrock');

    const response = await service.chat({ agentId: 'user-agent', message: 'What is ETH worth?' });

    expect(response).toMatchObject({ model: 'bedrock', reply: 'ETH is 3150.25 USD; that cost 0.05 MNEE.', toolCallLimitReached: false });
    expect(paidCalls.requests).toEqual([
      expect.objectContaining({ agentId: 'user-agent', serviceId: 'PRICE_ORACLE', input: { base: 'ETH' } }),
    ]);
    const calls = bedrock.commandCalls(ConverseCommand).map((call) => call.args[0].input as ConverseCommandInput);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.modelId).toBe(MODEL_ID);
    const offered = calls[0]?.toolConfig?.tools?.map((tool) => tool.toolSpec?.name).sort();
    expect(offered).toEqual(['archive_logs', 'generate_image', 'get_price', 'submit_batch_job']);
    const priceSpec = calls[0]?.toolConfig?.tools?.find((tool) => tool.toolSpec?.name === 'get_price')?.toolSpec;
    expect(priceSpec?.inputSchema?.json).toMatchObject({ type: 'object', required: ['base'] });
    const toolResult = calls[1]?.messages?.flatMap((message) => message.content ?? []).find((block) => block.toolResult)?.toolResult;
    expect(toolResult?.toolUseId).toBe('tooluse_eth');
    const text = toolResult?.content?.map((block) => block.text ?? '').join('') ?? '';
    expect(parseToolReport(text)).toMatchObject({ outcome: 'served', decision: { action: 'ALLOWED' }, result: { price: '3150.25' } });
  });

  it('answers 502 UPSTREAM_ERROR when Bedrock refuses the credentials', async () => {
    bedrock
      .on(ConverseCommand)
      .rejects(new AccessDeniedException({ message: 'not authorized to invoke this model', $metadata: { httpStatusCode: 403 } }));
    const { service, paidCalls } = chatService();

    const error = await service.chat({ agentId: 'user-agent', message: 'What is ETH worth?' }).then(
      () => undefined,
      (reason: unknown) => reason,
    );

    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', status: 502, message: expect.stringContaining('HTTP 403') });
    expect(paidCalls.requests).toHaveLength(0);
  });
});
