import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AppError } from '@nexus/service-kit';
import type { ModelChoice } from '@nexus/types';
import type { ModelSettings } from './model-settings';
import { PlannerChatModel, type PlannerOptions } from './planner-model';

export interface ChatModelOverrides {
  /** the Bedrock runtime client to use (tests inject a mocked one); one with the configured region and timeout otherwise */
  bedrockClient?: BedrockRuntimeClient;
  planner?: PlannerOptions;
}

const notConfigured = (choice: ModelChoice, needs: string) =>
  new AppError('MODEL_NOT_CONFIGURED', `the ${choice} model is not configured on this gateway (${needs} is not set)`);

/**
 * The chat model for a choice. A model whose settings are missing → 422
 * MODEL_NOT_CONFIGURED. The OpenAI and Bedrock clients are loaded on first
 * use: a gateway on the built-in planner never holds them in memory.
 */
export async function createChatModel(
  choice: ModelChoice,
  settings: ModelSettings,
  overrides: ChatModelOverrides = {},
): Promise<BaseChatModel> {
  switch (choice) {
    case 'planner':
      return new PlannerChatModel(overrides.planner);
    case 'openai': {
      const openai = settings.openai;
      if (!openai) throw notConfigured(choice, 'OPENAI_API_KEY');
      const { ChatOpenAI } = await import('@langchain/openai');
      return new ChatOpenAI({
        apiKey: openai.apiKey,
        model: openai.model,
        ...(openai.baseUrl ? { configuration: { baseURL: openai.baseUrl } } : {}),
        timeout: settings.timeoutMs,
        maxRetries: 1,
      });
    }
    case 'bedrock': {
      const bedrock = settings.bedrock;
      if (!bedrock) throw notConfigured(choice, 'BEDROCK_MODEL_ID');
      const [{ BedrockRuntimeClient }, { ChatBedrockConverse }] = await Promise.all([
        import('@aws-sdk/client-bedrock-runtime'),
        import('@langchain/aws'),
      ]);
      const client =
        overrides.bedrockClient ??
        new BedrockRuntimeClient({
          region: bedrock.region,
          maxAttempts: 2,
          requestHandler: {
            connectionTimeout: Math.min(settings.timeoutMs, 10_000),
            requestTimeout: settings.timeoutMs,
            throwOnRequestTimeout: true,
          },
        });
      return new ChatBedrockConverse({ model: bedrock.modelId, region: bedrock.region, client });
    }
  }
}
