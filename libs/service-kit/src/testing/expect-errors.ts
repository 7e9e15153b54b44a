import type { Response } from 'supertest';
import { ErrorBody, type ErrorCode } from '@nexus/types';

export interface ErrorOfOptions {
  /** the body may carry more beside `error` (the gateway's invoke failure adds its decision, payment and refund); default: `error` only */
  besideError?: 'nothing' | 'anything';
  /** what in the answer gives internals away, or undefined; default: the word "stack", a stack frame, node_modules or a .ts file */
  internalsShown?: (text: string, body: unknown) => string | undefined;
}

const INTERNALS = /stack|\bat .+:\d+:\d+|node_modules|\.ts\b/i;
const internalsInText = (text: string): string | undefined =>
  INTERNALS.test(text) ? `internals: ${INTERNALS.exec(text)?.[0]}` : undefined;

/** The error body of docs/architecture.md §6 (and, as told, nothing else): no stack, no internals. */
export function errorOf(response: Response, status: number, code: ErrorCode, options: ErrorOfOptions = {}): ErrorBody['error'] {
  const { besideError = 'nothing', internalsShown = internalsInText } = options;
  expect({ status: response.status, code: ErrorBody.safeParse(response.body).data?.error.code }).toEqual({ status, code });
  expect(response.type).toBe('application/json');
  if (besideError === 'nothing') expect(Object.keys(response.body as object)).toEqual(['error']);
  const { error } = ErrorBody.parse(response.body);
  expect(Object.keys(response.body.error as object).every((key) => ['code', 'message', 'details', 'requestId'].includes(key))).toBe(true);
  expect(error.message.length).toBeGreaterThan(0);
  expect(internalsShown(response.text, response.body)).toBeUndefined();
  return error;
}

/** A 400 VALIDATION_ERROR whose details name exactly these paths, each with a message. */
export function expectValidationError(response: Response, paths: string[]): ErrorBody['error'] {
  const error = errorOf(response, 400, 'VALIDATION_ERROR');
  expect(error.details?.map((detail) => detail.path).sort()).toEqual([...paths].sort());
  for (const detail of error.details ?? []) expect(detail.message.length).toBeGreaterThan(0);
  return error;
}
