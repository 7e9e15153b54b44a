import { redactSecrets } from '@nexus/types';
import { AppError } from './app-error';

const stringField = (error: unknown, field: string): string | undefined => {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
};

/**
 * What may be said of a failure outside the process (a health report, an
 * error answer): our own AppError's message, else the failure's code (an
 * ethers code, a socket code) with ethers' short message; never an upstream
 * message as is. Whatever is left is redacted (URLs, bearer tokens).
 */
export function safeErrorText(error: unknown, fallback = 'check failed'): string {
  if (error instanceof AppError) return redactSecrets(error.message);
  const code = stringField(error, 'code');
  const short = stringField(error, 'shortMessage');
  if (code && /^[A-Z][A-Z0-9_]*$/.test(code)) return redactSecrets(short ? `${code}: ${short}` : code).slice(0, 200);
  return error instanceof Error ? redactSecrets(error.message).slice(0, 200) : fallback;
}
