import { AppError, ERROR_STATUS, conflict, notFound, validationError } from './app-error';
import { newId } from './ids';
import { parseInput } from './validate';
import { z } from 'zod';
import { NexusError } from '@nexus/types';

describe('AppError', () => {
  it('carries a stable code, an HTTP status, details and a cause', () => {
    const cause = new Error('unique constraint');
    const error = new AppError('IDEMPOTENCY_KEY_REUSED', 'key reused', { details: [{ path: 'body.key', message: 'seen' }], cause });

    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(NexusError);
    expect(error).toMatchObject({ name: 'AppError', code: 'IDEMPOTENCY_KEY_REUSED', status: 409, message: 'key reused' });
    expect(error.details).toEqual([{ path: 'body.key', message: 'seen' }]);
    expect(error.cause).toBe(cause);
  });

  it("takes its status from the code unless told another, and keeps its subclass's name", () => {
    expect(new AppError('RATE_LIMITED', 'slow down')).toMatchObject({ status: 429, details: undefined });
    expect(new AppError('PAYMENT_PENDING', 'not confirmed yet', { status: 504 }).status).toBe(504);
    for (const code of Object.keys(ERROR_STATUS) as (keyof typeof ERROR_STATUS)[])
      expect(new AppError(code, 'x').status).toBe(ERROR_STATUS[code]);
    class SomeError extends AppError {
      override readonly name: string = 'SomeError';
    }
    expect(new SomeError('NOT_FOUND', 'gone')).toMatchObject({ name: 'SomeError', status: 404 });
  });

  it('has helpers for the usual statuses', () => {
    expect(validationError('bad', [{ path: 'body', message: 'x' }])).toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
    expect(notFound('AGENT_NOT_FOUND', 'no agent')).toMatchObject({ code: 'AGENT_NOT_FOUND', status: 404, details: undefined });
    expect(conflict('COMMIT_EXCEEDS_HOLD', 'too much')).toMatchObject({ status: 409, details: undefined });
    expect(conflict('COMMIT_EXCEEDS_HOLD', 'too much', [{ path: 'body.amount', message: 'over' }]).details).toHaveLength(1);
    const cause = new Error('cursor is not one this service issued');
    expect(validationError('bad', [{ path: 'query.cursor', message: 'x' }], { cause }).cause).toBe(cause);
  });
});

describe('parseInput', () => {
  const Schema = z.object({ name: z.string(), tags: z.array(z.string()).max(1) });

  it('returns the parsed value', () => {
    expect(parseInput(Schema, { name: 'a', tags: [] }, 'body')).toEqual({ name: 'a', tags: [] });
  });

  it('throws a VALIDATION_ERROR whose detail paths start with the input source', () => {
    let thrown: unknown;
    try {
      parseInput(Schema, { name: 1, tags: ['a', 'b'] }, 'params');
    } catch (error: unknown) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(AppError);
    const error = thrown as AppError;
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', status: 400, message: 'invalid request params' });
    expect(error.details?.map((d) => d.path)).toEqual(['params.name', 'params.tags']);
  });
});

describe('newId', () => {
  it('makes prefixed ids of 32 hex digits, different every time', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newId('dec')));

    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^dec_[0-9a-f]{32}$/);
  });
});
