import { createHash, randomUUID } from 'node:crypto';
import { AppError, describeError, type Logger } from '@nexus/service-kit';
import type { IdempotencyStore } from '@nexus/stores';
import { canonicalJson, type InvokeAnswer, type InvokeFailureBody } from '@nexus/types';
import type { PaidCallOutcome, PaidCallRequest, PaidCalls } from './paid-call-types';

/** The HTTP answer of `POST /tools/:serviceId/invoke`. */
export interface InvokeHttpAnswer {
  status: number;
  body: InvokeAnswer | InvokeFailureBody;
  /** true when this is the stored answer of an earlier attempt with the same key */
  replayed: boolean;
}

export interface IdempotentInvokeDeps {
  paidCalls: PaidCalls;
  store: IdempotencyStore;
  logger: Logger;
  /** how long an attempt holds its key before a retry may take it over (the attempt is taken to have died) */
  leaseMs: number;
  clock?: () => Date;
}

export type InvokeRequest = Omit<PaidCallRequest, 'idempotencyKey'> & { idempotencyKey?: string };

/** A paid call's outcome as an HTTP answer: 200 when served or rejected, the error's status (with the decision and payment) when failed. */
export function toHttpAnswer(outcome: PaidCallOutcome): Omit<InvokeHttpAnswer, 'replayed'> {
  switch (outcome.kind) {
    case 'rejected':
    case 'served':
      return { status: 200, body: outcome.answer };
    case 'pending_approval':
      return { status: 202, body: outcome.answer };
    case 'failed': {
      const { decision, payment, refund, error } = outcome.answer;
      return {
        status: outcome.error.status,
        body: { error: error ?? { code: outcome.error.code, message: outcome.error.message }, decision, payment, refund: refund ?? null },
      };
    }
  }
}

/**
 * An answer given before the money's fate was known: the payment PENDING,
 * the payment service silent (timeout, unreachable, 5xx, a chain outage that
 * may have sent), or the provider silent (504). Such an answer is not kept as
 * final: a retry with the same key resumes the call (the decision and the
 * payment replay, the provider is called if it never served) and settles it once.
 */
export function isUnresolved(answer: Omit<InvokeHttpAnswer, 'replayed'>): boolean {
  // Waiting for approval: a retry asks the policy again, which replays the same decision and approval as it stands now.
  if (answer.status === 202) return true;
  if (!('error' in answer.body)) return false;
  const { payment, error } = answer.body;
  if (payment) return payment.status === 'PENDING' || answer.status === 504;
  // Nothing was paid (the precheck could not be asked), or the payment service said FAILED (nothing was sent): that end is known.
  if (error?.code === 'PRECHECK_UNAVAILABLE') return false;
  if ((error?.details ?? []).some((detail) => detail.path === 'payment.status' && detail.message === 'FAILED')) return false;
  return answer.status >= 500 || error?.code === 'PAYMENT_PENDING' || error?.code === 'CHAIN_UNAVAILABLE';
}

/**
 * `Idempotency-Key` for the direct invoke: the first attempt with a key
 * claims it and its answer is kept; a retry gets that answer back (and moves
 * no money), a retry while the first is still running gets a 409, and the
 * same key with a different request gets a 422. Without a key, every call
 * is its own. An unresolved answer (see isUnresolved) gives the key up
 * instead, so a retry resumes the call.
 */
export class IdempotentInvoke {
  private readonly clock: () => Date;

  constructor(private readonly deps: IdempotentInvokeDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  async invoke(request: InvokeRequest): Promise<InvokeHttpAnswer> {
    const { idempotencyKey, ...call } = request;
    if (idempotencyKey === undefined) {
      const outcome = await this.deps.paidCalls.run({ ...call, idempotencyKey: randomUUID() });
      return { ...toHttpAnswer(outcome), replayed: false };
    }
    const fingerprint = createHash('sha256')
      .update(canonicalJson({ serviceId: call.serviceId, variant: call.variant ?? null, input: call.input }))
      .digest('hex');
    const claim = await this.deps.store.claim({ scope: call.agentId, key: idempotencyKey, fingerprint }, this.clock(), this.deps.leaseMs);
    if (!claim.claimed) {
      const { existing } = claim;
      if (existing.fingerprint !== fingerprint)
        throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request; use a new key', {
          status: 422,
        });
      if (existing.state === 'IN_FLIGHT' || existing.answer === null)
        throw new AppError('IDEMPOTENCY_KEY_IN_USE', 'a request with this Idempotency-Key is still running; retry shortly');
      return { status: existing.answer.status, body: JSON.parse(existing.answer.body) as InvokeAnswer, replayed: true };
    }

    let outcome: PaidCallOutcome;
    try {
      outcome = await this.deps.paidCalls.run({ ...call, idempotencyKey });
    } catch (error: unknown) {
      // Nothing was decided (the policy was down...): give the key up so a retry runs afresh.
      await this.deps.store.abandon(call.agentId, idempotencyKey).catch((abandonError: unknown) =>
        this.deps.logger.warn('could not give up an idempotency key; it frees itself when its lease ends', {
          error: describeError(abandonError),
        }),
      );
      throw error;
    }
    const answer = toHttpAnswer(outcome);
    if (isUnresolved(answer)) {
      await this.deps.store.abandon(call.agentId, idempotencyKey).catch((error: unknown) =>
        this.deps.logger.warn('could not give up the key of an unresolved call; it frees itself when its lease ends', {
          error: describeError(error),
        }),
      );
      return { ...answer, replayed: false };
    }
    try {
      await this.deps.store.complete(
        call.agentId,
        idempotencyKey,
        { status: answer.status, body: JSON.stringify(answer.body) },
        this.clock(),
      );
    } catch (error: unknown) {
      // The call itself is done; a retry after the lease finds its hold settled and is refused rather than paid again.
      this.deps.logger.error('could not keep the answer of an idempotency key', { error: describeError(error) });
    }
    return { ...answer, replayed: false };
  }
}
