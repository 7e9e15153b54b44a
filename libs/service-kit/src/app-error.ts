import type { ErrorCode, ErrorDetail } from '@nexus/types';

export interface AppErrorOptions {
  details?: ErrorDetail[];
  cause?: unknown;
}

/** The one error base class: a stable code, an HTTP status, details and a cause. */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly details: ErrorDetail[] | undefined;

  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.details = options.details;
  }
}

export const validationError = (message: string, details: ErrorDetail[]) => new AppError('VALIDATION_ERROR', 400, message, { details });

export const notFound = (code: ErrorCode, message: string) => new AppError(code, 404, message);

export const conflict = (code: ErrorCode, message: string, details?: ErrorDetail[]) =>
  new AppError(code, 409, message, details ? { details } : {});
