import type { z } from 'zod';
import { validationError } from './app-error';

export type InputSource = 'body' | 'query' | 'params' | 'headers';

/** Parses request input with its zod schema; a 400 VALIDATION_ERROR listing every problem otherwise. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, source: InputSource): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    path: [source, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw validationError(`invalid request ${source}`, details);
}
