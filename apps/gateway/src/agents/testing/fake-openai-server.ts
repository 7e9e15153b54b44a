import express from 'express';
import { listenOnLoopback, type LoopbackServer } from '@nexus/service-kit/testing';

/** One `POST /chat/completions` the fake server received. */
export interface CompletionRequest {
  authorization: string | undefined;
  body: {
    model?: string;
    stream?: boolean;
    messages: {
      role: string;
      content?: unknown;
      tool_calls?: { id: string; function: { name: string; arguments: string } }[];
      tool_call_id?: string;
    }[];
    tools?: { type: string; function: { name: string; description?: string; parameters: Record<string, unknown> } }[];
  };
}

/** What the fake answers: a status and a JSON body, or `hold` to never answer (a hung server). */
export type CompletionAnswer = { status: number; body: unknown } | 'hold';

export interface FakeOpenAiServer extends LoopbackServer {
  requests: CompletionRequest[];
}

export interface ToolCallSpec {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

let completions = 0;

/** A chat.completion body; ids differ, as OpenAI's do (LangChain keys messages by id). */
const completion = (message: Record<string, unknown>, finishReason: string, id?: string) => ({
  id: id ?? `chatcmpl-test-${(completions += 1)}`,
  object: 'chat.completion',
  created: 1_773_144_000,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finishReason, logprobs: null }],
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
});

/** An answer of the chat-completions API asking for tool calls. */
export const toolCallsAnswer = (calls: ToolCallSpec[], id?: string): CompletionAnswer => ({
  status: 200,
  body: completion(
    {
      content: null,
      tool_calls: calls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: JSON.stringify(call.args) },
      })),
    },
    'tool_calls',
    id,
  ),
});

/** A final assistant message of the chat-completions API. */
export const textAnswer = (content: string, id?: string): CompletionAnswer => ({ status: 200, body: completion({ content }, 'stop', id) });

/** An error answer as the OpenAI API writes it. */
export const errorAnswer = (status: number, message: string, type = 'server_error'): CompletionAnswer => ({
  status,
  body: { error: { message, type, param: null, code: null } },
});

/**
 * A loopback server that speaks the OpenAI chat-completions API
 * (`POST /chat/completions`): each request is recorded and answered with
 * what `script` says for it (its index and body), so a test plays the model.
 */
export async function startFakeOpenAi(script: (request: CompletionRequest, index: number) => CompletionAnswer): Promise<FakeOpenAiServer> {
  const requests: CompletionRequest[] = [];
  const app = express();
  app.use(express.json({ limit: '5mb' }));
  app.post('/chat/completions', (req, res) => {
    const request: CompletionRequest = { authorization: req.header('authorization'), body: req.body as CompletionRequest['body'] };
    requests.push(request);
    const answer = script(request, requests.length - 1);
    if (answer === 'hold') return;
    res.status(answer.status).json(answer.body);
  });
  app.use((_req, res) => res.status(404).json({ error: { message: 'not found', type: 'invalid_request_error' } }));
  const server = await listenOnLoopback(app);
  return { ...server, requests };
}

/** The tool messages (role `tool`) of a request, by tool call id. */
export const toolResults = (request: CompletionRequest): Map<string, string> =>
  new Map(
    request.body.messages
      .filter((message) => message.role === 'tool' && message.tool_call_id)
      .map((message) => [
        message.tool_call_id ?? '',
        typeof message.content === 'string' ? message.content : JSON.stringify(message.content),
      ]),
  );
