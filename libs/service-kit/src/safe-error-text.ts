import { failureText, redactSecrets } from '@nexus/types';
import { AppError } from './app-error';

/**
 * What may be said of a failure outside the process (a health report, an
 * error answer): our own AppError's message, else the failure's code (an
 * ethers code, a socket code) with ethers' short message; never an upstream
 * message as is. Whatever is left is redacted (URLs, bearer tokens).
 */
export function safeErrorText(error: unknown, fallback = 'check failed'): string {
  if (error instanceof AppError) return redactSecrets(error.message);
  return failureText(error, fallback);
}
