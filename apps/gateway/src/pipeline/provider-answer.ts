import type { ProviderAnswer } from '@nexus/clients';
import { AppError } from '@nexus/service-kit';
import { ErrorBody, InvokeResponse, ProviderFailureBody, type RefundOutcome } from '@nexus/types';

/** What a provider's answer to a paid call means for the money. */
export type ProviderVerdict =
  /** served: the result is the provider's own */
  | { kind: 'served'; result: unknown }
  /** the provider took the payment, failed, and refunded it (or says why it could not) */
  | { kind: 'refunded_by_provider'; error: AppError; refund: RefundOutcome }
  /** the provider refused the call before it took the payment (bad input, precheck, proof) or was never reached: the gateway refunds */
  | { kind: 'unused'; error: AppError }
  /** no one knows whether it was served (a timeout, a proof already redeemed): the payment stands */
  | { kind: 'unknown'; error: AppError };

/** Reads a provider's answer to `POST /invoke` (docs/architecture.md §5) into a verdict. */
export function readProviderAnswer(serviceId: string, answer: ProviderAnswer): ProviderVerdict {
  if (answer.status >= 200 && answer.status < 300) {
    const served = InvokeResponse.safeParse(answer.body);
    if (served.success) return { kind: 'served', result: served.data.result };
    return {
      kind: 'unknown',
      error: new AppError('UPSTREAM_ERROR', `${serviceId} answered a paid call with a body that is not its contract`),
    };
  }
  const failure = ProviderFailureBody.safeParse(answer.body);
  if (failure.success) {
    const { error, refund } = failure.data;
    return {
      kind: 'refunded_by_provider',
      refund,
      error: new AppError('PROVIDER_FAILED', `${serviceId} failed after payment: ${error.message}`),
    };
  }
  const body = ErrorBody.safeParse(answer.body);
  if (!body.success)
    return { kind: 'unused', error: new AppError('UPSTREAM_ERROR', `${serviceId} answered ${answer.status} without an error body`) };
  const { code, message, details } = body.data.error;
  if (code === 'PAYMENT_ALREADY_REDEEMED')
    return { kind: 'unknown', error: new AppError('UPSTREAM_ERROR', `${serviceId} says this payment was already used: ${message}`) };
  // The caller's own mistake (input, an unknown price...) keeps its 4xx; a refused proof or a provider in trouble is ours.
  const callerFault = answer.status < 500 && answer.status !== 402 && answer.status !== 401 && answer.status !== 403;
  const error = callerFault
    ? new AppError(code, `${serviceId}: ${message}`, { status: answer.status, ...(details ? { details } : {}) })
    : new AppError(answer.status === 503 ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_ERROR', `${serviceId}: ${message}`);
  return { kind: 'unused', error };
}
