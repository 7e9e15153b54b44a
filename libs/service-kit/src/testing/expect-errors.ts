import type { Response } from 'supertest';
import { ErrorBody, type ErrorCode } from '@nexus/types';

/** The error body of docs/architecture.md §6 and nothing else: no stack, no internals. */
export function errorOf(response: Response, status: number, code: ErrorCode): ErrorBody['error'] {
  expect({ status: response.status, code: ErrorBody.safeParse(response.body).data?.error.code }).toEqual({ status, code });
  expect(response.type).toBe('application/json');
  expect(Object.keys(response.body as object)).toEqual(['error']);
  const { error } = ErrorBody.parse(response.body);
  expect(Object.keys(response.body.error as object).every((key) => ['code', 'message', 'details', 'requestId'].includes(key))).toBe(true);
  expect(error.message.length).toBeGreaterThan(0);
  expect(response.text).not.toMatch(/stack|\bat .+:\d+:\d+|node_modules|\.ts\b/i);
  return error;
}

/** A 400 VALIDATION_ERROR whose details name exactly these paths, each with a message. */
export function expectValidationError(response: Response, paths: string[]): ErrorBody['error'] {
  const error = errorOf(response, 400, 'VALIDATION_ERROR');
  expect(error.details?.map((detail) => detail.path).sort()).toEqual([...paths].sort());
  for (const detail of error.details ?? []) expect(detail.message.length).toBeGreaterThan(0);
  return error;
}
