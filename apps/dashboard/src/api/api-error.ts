import { ErrorBody, NexusError } from '@nexus/types';

/** A refusal of the API in its error format (docs/api.md, "Errors"): the code first, then what to do about it. */
export class ApiError extends NexusError {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  /** per-field problems of a 400 (`path`, `message`), shown next to the fields */
  readonly details: readonly { path: string; message: string }[];

  constructor(status: number, body: unknown) {
    const parsed = ErrorBody.safeParse(body);
    const error = parsed.success ? parsed.data.error : undefined;
    super(error?.message ?? `the gateway answered ${status}`);
    this.status = status;
    this.code = error?.code ?? 'UNEXPECTED_ANSWER';
    this.details = (error?.details ?? []).map((detail) => ({ path: String(detail.path), message: detail.message }));
  }
}

/** The words an operator reads for a failed request. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
