import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@nexus/config';
import { AppError } from '@nexus/service-kit';
import { ChatOpenAI } from '@langchain/openai';
import { ChatBedrockConverse } from '@langchain/aws';
import { createChatModel } from './chat-models';
import { loadModelSettings } from './model-settings';
import { PlannerChatModel } from './planner-model';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadModelSettings(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => `${problem.source}: ${problem.message}`);
    throw error;
  }
  return [];
};

describe('model settings', () => {
  it('uses the built-in planner and the default limits when no LLM is configured', () => {
    expect(loadModelSettings({})).toEqual({
      models: { default: 'planner', openai: null, bedrock: null, timeoutMs: 30_000 },
      chat: { maxToolCalls: 6, memoryMessages: 20, memoryAgents: 100 },
    });
  });

  it('picks OpenAI when a key is set, else Bedrock when a model id is set', () => {
    const both = loadModelSettings({ OPENAI_API_KEY: 'sk-x', BEDROCK_MODEL_ID: 'm', OPENAI_BASE_URL: 'http://127.0.0.1:1234/v1' });
    expect(both.models).toMatchObject({
      default: 'openai',
      openai: { apiKey: 'sk-x', baseUrl: 'http://127.0.0.1:1234/v1', model: 'gpt-4o-mini' },
      bedrock: { modelId: 'm', region: 'us-east-1' },
    });
    expect(loadModelSettings({ BEDROCK_MODEL_ID: 'm', AWS_REGION: 'eu-west-1' }).models).toMatchObject({
      default: 'bedrock',
      bedrock: { modelId: 'm', region: 'eu-west-1' },
    });
    expect(loadModelSettings({ OPENAI_API_KEY: 'sk-x', LLM_PROVIDER: 'planner' }).models.default).toBe('planner');
  });

  it('reads the limits and treats blank variables as unset', () => {
    const settings = loadModelSettings({
      CHAT_MAX_TOOL_CALLS: '3',
      CHAT_MEMORY_MESSAGES: '8',
      CHAT_MEMORY_AGENTS: '2',
      LLM_TIMEOUT_MS: '5000',
      OPENAI_API_KEY: ' ',
    });
    expect(settings.chat).toEqual({ maxToolCalls: 3, memoryMessages: 8, memoryAgents: 2 });
    expect(settings.models).toMatchObject({ timeoutMs: 5000, openai: null, default: 'planner' });
  });

  it('fails start-up listing every problem', () => {
    expect(problemsOf({ LLM_PROVIDER: 'openai' })).toEqual([expect.stringMatching(/^environment variable OPENAI_API_KEY: is required/)]);
    expect(problemsOf({ LLM_PROVIDER: 'bedrock' })).toEqual([expect.stringMatching(/^environment variable BEDROCK_MODEL_ID: is required/)]);
    expect(problemsOf({ LLM_PROVIDER: 'gpt', CHAT_MAX_TOOL_CALLS: '0', OPENAI_BASE_URL: 'ftp://x', LLM_TIMEOUT_MS: 'soon' })).toEqual([
      expect.stringMatching(/^environment variable LLM_PROVIDER: must be auto, planner, openai or bedrock/),
      expect.stringMatching(/^environment variable OPENAI_BASE_URL: must be an http\(s\) URL/),
      expect.stringMatching(/^environment variable LLM_TIMEOUT_MS: /),
      expect.stringMatching(/^environment variable CHAT_MAX_TOOL_CALLS: /),
    ]);
  });
});

describe('chat models', () => {
  const settings = loadModelSettings({ OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', BEDROCK_MODEL_ID: 'm' }).models;

  it('builds the model asked for', async () => {
    expect(await createChatModel('planner', settings)).toBeInstanceOf(PlannerChatModel);
    const openai = await createChatModel('openai', settings);
    expect(openai).toBeInstanceOf(ChatOpenAI);
    expect(openai).toMatchObject({ model: 'gpt-4o-mini', timeout: 30_000 });
    expect(await createChatModel('bedrock', settings)).toBeInstanceOf(ChatBedrockConverse);
  });

  it('refuses a model that is not configured with 422 MODEL_NOT_CONFIGURED', async () => {
    const none = loadModelSettings({}).models;
    for (const choice of ['openai', 'bedrock'] as const) {
      const attempt = createChatModel(choice, none);
      await expect(attempt).rejects.toThrow(AppError);
      await expect(attempt).rejects.toMatchObject({ code: 'MODEL_NOT_CONFIGURED', status: 422 });
    }
  });

  it('loads the OpenAI and Bedrock clients only when one of them is asked for', () => {
    const source = readFileSync(join(__dirname, 'chat-models.ts'), 'utf8');
    expect(source).not.toMatch(/^import (?!type )[^;]*from '@(langchain\/(openai|aws)|aws-sdk\/client-bedrock-runtime)'/m);
  });
});
