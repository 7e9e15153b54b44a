import type { Response } from 'supertest';
import { errorOf as errorBodyOf, findWorkspaceRoot } from '@nexus/service-kit/testing';
import { fromBaseUnits, toBaseUnits, type ErrorBody, type ErrorCode } from '@nexus/types';

const WORKSPACE_ROOT = findWorkspaceRoot();

/** A JavaScript stack frame: `at fn (/file.js:1:2)`, `at /file.js:1:2`, `at fn (node:internal/x:1:2)`, `at fn (<anonymous>)`. */
const STACK_FRAME = /\bat\s+(?:\S+\s+\()?(?:\/|file:\/\/|node:)[^\s()]*:\d+:\d+|\bat\s+\S+\s+\(<anonymous>\)/;

/** Does any object in this JSON value have a `stack` key? */
function hasStackKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasStackKey);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([key, inner]) => key === 'stack' || hasStackKey(inner));
}

/**
 * What an answer must never show, whatever was asked: a stack frame, a file
 * of this repository or of node_modules, or a `stack` field. (Error messages
 * may quote the caller's own input, so only these give internals away.)
 */
export function internalsShown(text: string, body: unknown): string | undefined {
  if (STACK_FRAME.test(text)) return 'a stack frame';
  if (text.includes(WORKSPACE_ROOT)) return 'a path of the workspace';
  if (text.includes('node_modules')) return 'a node_modules path';
  if (hasStackKey(body)) return 'a stack field';
  return undefined;
}

/** The error format of docs/architecture.md §6 (ErrorBody; an invoke failure adds its decision, payment and refund), no internals. */
export const errorOf = (response: Response, status: number, code: ErrorCode): ErrorBody['error'] =>
  errorBodyOf(response, status, code, { besideError: 'anything', internalsShown });

/** A 400 VALIDATION_ERROR whose details name (at least) these paths. */
export function validationErrorOf(response: Response, paths: string[]): ErrorBody['error'] {
  const error = errorOf(response, 400, 'VALIDATION_ERROR');
  expect(error.details?.map((detail) => detail.path)).toEqual(expect.arrayContaining(paths));
  for (const detail of error.details ?? []) expect(detail.message.length).toBeGreaterThan(0);
  return error;
}

/** The same amount written the canonical way ("0.5" and "0.50" are one amount). */
export const canonicalMoney = (amount: string): string => fromBaseUnits(toBaseUnits(amount));
