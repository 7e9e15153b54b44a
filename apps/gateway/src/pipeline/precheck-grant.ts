import { isServiceCallError, type CallContext } from '@nexus/clients';
import { AppError } from '@nexus/service-kit';
import type { PaidService } from '../services/service-directory';

/** What the precheck of a granted call is asked about: the variant the policy granted, not the one asked for. */
export interface PrecheckRequest {
  service: PaidService;
  variant: string;
  input: Record<string, unknown>;
  context: CallContext;
}

/** A precheck is cheap work: it gets this long (a hold's TTL must cover it, the payment and the provider's work). */
export const PRECHECK_TIMEOUT_MS = 5_000;

/**
 * Asks the provider, for free and before anything is paid, whether it would
 * serve this input for the granted variant (a downgrade can make a fine
 * request too large: IMAGE_GEN `draft` is at most 256 px). Undefined when it
 * would; otherwise the error to answer with: the provider's own 4xx (code,
 * details) with a message that says why, or 503 PRECHECK_UNAVAILABLE when it could not be asked (a known end: a
 * retry with the same key gets it back, it does not resume).
 * Either way the caller releases the hold: nothing was paid.
 */
export async function precheckGrant(request: PrecheckRequest): Promise<AppError | undefined> {
  const { service, variant } = request;
  const serviceId = service.config.id;
  try {
    await service.client.precheck({ variant, input: request.input }, { ...request.context, timeoutMs: PRECHECK_TIMEOUT_MS });
    return undefined;
  } catch (error: unknown) {
    const status = isServiceCallError(error) && error.failure === 'answered' ? error.upstreamStatus : undefined;
    if (isServiceCallError(error) && status !== undefined && status >= 400 && status < 500 && status !== 429)
      return new AppError(
        error.code,
        `${serviceId} refuses this input for the ${variant} variant (${error.message}); the hold was released and nothing was paid`,
        { status, cause: error, ...(error.details ? { details: error.details } : {}) },
      );
    return new AppError(
      'PRECHECK_UNAVAILABLE',
      `${serviceId} could not check the input before payment; the hold was released and nothing was paid`,
      { cause: error },
    );
  }
}
