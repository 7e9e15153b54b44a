import { AppError } from '@nexus/service-kit';
import type { ModelChoice } from '@nexus/types';

const LABEL: Record<ModelChoice, string> = {
  openai: 'the OpenAI model server',
  bedrock: 'AWS Bedrock',
  planner: 'the built-in planner',
};

const CREDENTIALS: Record<ModelChoice, string> = {
  openai: 'OPENAI_API_KEY',
  bedrock: 'the AWS credentials',
  planner: 'nothing',
};

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
]);
const TIMED_OUT = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

interface Facts {
  status: number | undefined;
  timedOut: boolean;
  unreachable: boolean;
  message: string;
}

const record = (value: unknown): Record<string, unknown> | null =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;

/** What the error and its causes say: an HTTP status, a timeout, a connection that never got through. */
function factsOf(error: unknown): Facts {
  const facts: Facts = {
    status: undefined,
    timedOut: false,
    unreachable: false,
    message: error instanceof Error ? error.message : String(error),
  };
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth += 1) {
    const fields = record(current);
    if (!fields) break;
    const name = typeof fields['name'] === 'string' ? fields['name'] : '';
    const code = typeof fields['code'] === 'string' ? fields['code'] : '';
    const constructorName = typeof fields['constructor'] === 'function' ? (fields['constructor'] as { name?: string }).name : undefined;
    const metadata = record(fields['$metadata']);
    const status = typeof fields['status'] === 'number' ? fields['status'] : metadata?.['httpStatusCode'];
    if (facts.status === undefined && typeof status === 'number' && status >= 400) facts.status = status;
    if (name === 'TimeoutError' || constructorName === 'APIConnectionTimeoutError' || TIMED_OUT.has(code)) facts.timedOut = true;
    if (constructorName === 'APIConnectionError' || UNREACHABLE.has(code)) facts.unreachable = true;
    current = fields['cause'];
  }
  return facts;
}

/** An upstream message without anything that looks like a key. */
function sanitise(message: string, secrets: readonly string[]): string {
  let clean = message;
  for (const secret of secrets) if (secret.length >= 4) clean = clean.split(secret).join('[redacted]');
  clean = clean.replace(/\b(sk|key|AKIA|ASIA)[-_A-Za-z0-9*]{8,}/g, '[redacted]');
  return clean.length > 300 ? `${clean.slice(0, 300)}...` : clean;
}

/**
 * A model or provider failure as the API answers it: unreachable → 503
 * UPSTREAM_UNAVAILABLE, timed out → 504 UPSTREAM_TIMEOUT, an error answer
 * (401, 429, 5xx...) → 502 UPSTREAM_ERROR. Messages never carry a key: the
 * configured secrets and key-like strings are redacted, and a refused key is
 * described, not quoted.
 */
export function modelFailure(error: unknown, choice: ModelChoice, secrets: readonly string[] = []): AppError {
  if (error instanceof AppError) return error;
  const label = LABEL[choice];
  if (choice === 'planner') return new AppError('INTERNAL_ERROR', 'the built-in planner failed', { cause: error });
  const facts = factsOf(error);
  const cause = Object.assign(new Error(sanitise(facts.message, secrets)), { name: error instanceof Error ? error.name : 'Error' });
  if (facts.timedOut) return new AppError('UPSTREAM_TIMEOUT', `${label} did not answer in time`, { cause });
  if (facts.status === undefined && facts.unreachable) return new AppError('UPSTREAM_UNAVAILABLE', `${label} cannot be reached`, { cause });
  const status = facts.status;
  if (status === 401 || status === 403)
    return new AppError('UPSTREAM_ERROR', `${label} refused the credentials (HTTP ${status}); check ${CREDENTIALS[choice]}`, {
      cause,
    });
  if (status === 404) return new AppError('UPSTREAM_ERROR', `${label} does not know the configured model (HTTP 404)`, { cause });
  if (status === 429)
    return new AppError('UPSTREAM_ERROR', `${label} is rate limiting this gateway or it is out of quota (HTTP 429)`, { cause });
  if (status !== undefined && status >= 500) return new AppError('UPSTREAM_ERROR', `${label} failed (HTTP ${status})`, { cause });
  if (status !== undefined)
    return new AppError('UPSTREAM_ERROR', `${label} refused the request (HTTP ${status}): ${sanitise(facts.message, secrets)}`, {
      cause,
    });
  return new AppError('UPSTREAM_ERROR', `${label} gave an answer that could not be used: ${sanitise(facts.message, secrets)}`, {
    cause,
  });
}
