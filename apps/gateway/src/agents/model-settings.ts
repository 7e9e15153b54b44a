import { z } from 'zod';
import { ConfigError, type ConfigProblem } from '@nexus/config';
import type { ModelChoice } from '@nexus/types';

export interface OpenAiSettings {
  /** any non-empty string for an OpenAI-compatible server that wants no key */
  apiKey: string;
  /** an OpenAI-compatible server; api.openai.com when absent */
  baseUrl: string | undefined;
  model: string;
}

export interface BedrockSettings {
  modelId: string;
  region: string;
}

/** Which models a chat may use, and the default one. */
export interface ModelSettings {
  default: ModelChoice;
  /** null when OPENAI_API_KEY is not set */
  openai: OpenAiSettings | null;
  /** null when BEDROCK_MODEL_ID is not set */
  bedrock: BedrockSettings | null;
  /** the most one model call may take */
  timeoutMs: number;
}

/** What one chat may do and what the gateway remembers of chats. */
export interface ChatSettings {
  /** paid tool calls one chat request may make; the model's calls beyond are not run (and not paid) */
  maxToolCalls: number;
  /** messages of conversation kept per agent */
  memoryMessages: number;
  /** agents whose conversations are kept; the least recently used is forgotten first */
  memoryAgents: number;
}

export interface AgentSettings {
  models: ModelSettings;
  chat: ChatSettings;
}

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const text = z.preprocess(blankToUndefined, z.string().trim().optional());
const count = (fallback: number, min: number, max: number) =>
  z.preprocess(blankToUndefined, z.coerce.number().int('must be a whole number').min(min).max(max).default(fallback));

const EnvSchema = z.object({
  LLM_PROVIDER: z.preprocess(
    (value) => (typeof blankToUndefined(value) === 'string' ? String(value).trim().toLowerCase() : undefined),
    z.enum(['auto', 'planner', 'openai', 'bedrock'], { error: 'must be auto, planner, openai or bedrock' }).default('auto'),
  ),
  OPENAI_API_KEY: text,
  OPENAI_BASE_URL: z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  OPENAI_MODEL: z.preprocess(blankToUndefined, z.string().trim().min(1).default('gpt-4o-mini')),
  BEDROCK_MODEL_ID: text,
  AWS_REGION: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1')
      .default('us-east-1'),
  ),
  LLM_TIMEOUT_MS: count(30_000, 1_000, 600_000),
  CHAT_MAX_TOOL_CALLS: count(6, 1, 50),
  CHAT_MEMORY_MESSAGES: count(20, 0, 1_000),
  CHAT_MEMORY_AGENTS: count(100, 1, 100_000),
});

const problem = (name: string, message: string): ConfigProblem => ({ source: `environment variable ${name}`, path: '', message });

/**
 * The LLM and chat settings from the environment. `LLM_PROVIDER` picks the
 * default model: `auto` (the default) takes OpenAI when `OPENAI_API_KEY` is
 * set, else Bedrock when `BEDROCK_MODEL_ID` is set, else the built-in
 * planner. A model that is configured can also be asked for per request.
 * Asking for openai or bedrock without its settings fails start-up, with
 * every problem listed.
 */
export function loadModelSettings(env: NodeJS.ProcessEnv = process.env): AgentSettings {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => problem(String(issue.path[0] ?? 'LLM settings'), issue.message)));
  }
  const values = parsed.data;
  const openai: OpenAiSettings | null = values.OPENAI_API_KEY
    ? { apiKey: values.OPENAI_API_KEY, baseUrl: values.OPENAI_BASE_URL, model: values.OPENAI_MODEL }
    : null;
  const bedrock: BedrockSettings | null = values.BEDROCK_MODEL_ID ? { modelId: values.BEDROCK_MODEL_ID, region: values.AWS_REGION } : null;

  const problems: ConfigProblem[] = [];
  if (values.LLM_PROVIDER === 'openai' && !openai)
    problems.push(problem('OPENAI_API_KEY', 'is required when LLM_PROVIDER is openai (any value for a server that needs no key)'));
  if (values.LLM_PROVIDER === 'bedrock' && !bedrock)
    problems.push(problem('BEDROCK_MODEL_ID', 'is required when LLM_PROVIDER is bedrock (e.g. anthropic.claude-3-5-haiku-20241022-v1:0)'));
  if (problems.length > 0) throw new ConfigError(problems);

  const defaultModel: ModelChoice =
    values.LLM_PROVIDER === 'auto' ? (openai ? 'openai' : bedrock ? 'bedrock' : 'planner') : values.LLM_PROVIDER;
  return {
    models: { default: defaultModel, openai, bedrock, timeoutMs: values.LLM_TIMEOUT_MS },
    chat: {
      maxToolCalls: values.CHAT_MAX_TOOL_CALLS,
      memoryMessages: values.CHAT_MEMORY_MESSAGES,
      memoryAgents: values.CHAT_MEMORY_AGENTS,
    },
  };
}
