import type { Router } from 'express';
import { AppError, acceptCallers, parseInput } from '@nexus/service-kit';
import { PaymentIdParams, X402OutcomeRequest, X402PayRequest } from '@nexus/types';
import type { X402Payments } from './x402-payments';

/**
 * Our agents paying external x402 services (docs/x402.md, "Paying x402
 * APIs"), for the gateway only: sign the payment of a granted call, then
 * report how the call went. In mock mode there is no chain to pay on: 409
 * X402_NEEDS_CHAIN_MODE.
 */
export function x402PaymentRoutes(router: Router, payments: X402Payments | undefined): void {
  const payer = (): X402Payments => {
    if (!payments)
      throw new AppError(
        'X402_NEEDS_CHAIN_MODE',
        'paying x402 services needs chain mode (PAYMENT_MODE=chain): mock mode has no chain to pay on',
      );
    return payments;
  };

  /** 201 with a newly signed authorization, 200 with `replayed` (the same one) for a known idempotency key. */
  router.post('/x402/payments', acceptCallers('gateway'), async (req, res) => {
    const service = payer();
    const { created, ...answer } = await service.pay(parseInput(X402PayRequest, req.body, 'body'));
    res.status(created ? 201 : 200).json(answer);
  });

  router.post('/x402/payments/:id/outcome', acceptCallers('gateway'), async (req, res) => {
    const service = payer();
    const { id } = parseInput(PaymentIdParams, req.params, 'params');
    res.json(await service.outcome(id, parseInput(X402OutcomeRequest, req.body, 'body')));
  });
}
