import { setTimeout as sleep } from 'node:timers/promises';
import type { Response } from 'supertest';
import { findWorkspaceRoot } from '@nexus/service-kit/testing';
import { ErrorBody, fromBaseUnits, toBaseUnits, type ErrorCode } from '@nexus/types';

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
export function errorOf(response: Response, status: number, code: ErrorCode): ErrorBody['error'] {
  expect({ status: response.status, code: ErrorBody.safeParse(response.body).data?.error.code }).toEqual({ status, code });
  expect(response.type).toBe('application/json');
  const { error } = ErrorBody.parse(response.body);
  expect(Object.keys(response.body.error as object).every((key) => ['code', 'message', 'details', 'requestId'].includes(key))).toBe(true);
  expect(error.message.length).toBeGreaterThan(0);
  expect(internalsShown(response.text, response.body)).toBeUndefined();
  return error;
}

/** A 400 VALIDATION_ERROR whose details name (at least) these paths. */
export function validationErrorOf(response: Response, paths: string[]): ErrorBody['error'] {
  const error = errorOf(response, 400, 'VALIDATION_ERROR');
  expect(error.details?.map((detail) => detail.path)).toEqual(expect.arrayContaining(paths));
  for (const detail of error.details ?? []) expect(detail.message.length).toBeGreaterThan(0);
  return error;
}

/**
 * Polls `check` until it gives a value (anything but undefined or false);
 * gives up with an error naming what it waited for. A deadline for a hung
 * test, never an assertion on time.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, deadlineMs = 20_000): Promise<T> {
  const giveUp = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > giveUp) throw new Error(`gave up waiting for ${what}`);
    await sleep(25);
  }
}

/** The sum of decimal-string amounts, as a decimal string ("0.00" for none). */
export const sumMoney = (amounts: readonly string[]): string =>
  fromBaseUnits(amounts.reduce((sum, amount) => sum + toBaseUnits(amount), 0n));

/** The same amount written the canonical way ("0.5" and "0.50" are one amount). */
export const canonicalMoney = (amount: string): string => fromBaseUnits(toBaseUnits(amount));
