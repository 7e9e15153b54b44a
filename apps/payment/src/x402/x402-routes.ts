import type { Router } from 'express';
import { AppError, acceptCallers, callerOf, parseInput } from '@nexus/service-kit';
import { PROVIDER_CALLERS, X402FacilitatorRequest, isProviderCaller, type ProviderCaller } from '@nexus/types';
import type { X402Service } from './x402-service';

/**
 * The x402 v2 facilitator API (docs/x402.md, "The facilitator"): verify and
 * settle for the providers, each for payments to its own payee; supported for
 * the gateway and the providers (an x402 resource server reads it at start).
 * In mock mode there is no chain to settle on: 409 X402_NEEDS_CHAIN_MODE.
 */
export function x402Routes(router: Router, x402: X402Service | undefined): void {
  const facilitator = (): X402Service => {
    if (!x402)
      throw new AppError(
        'X402_NEEDS_CHAIN_MODE',
        'the x402 facilitator needs chain mode (PAYMENT_MODE=chain): mock mode has no chain to settle on',
      );
    return x402;
  };
  const provider = (caller: string): ProviderCaller => {
    if (!isProviderCaller(caller)) throw new AppError('FORBIDDEN_CALLER', `${caller} may not verify or settle x402 payments`);
    return caller;
  };

  router.get('/x402/supported', acceptCallers('gateway', ...PROVIDER_CALLERS), (_req, res) => {
    res.json(facilitator().supported());
  });

  router.post('/x402/verify', acceptCallers(...PROVIDER_CALLERS), async (req, res) => {
    const service = facilitator();
    const body = parseInput(X402FacilitatorRequest, req.body, 'body');
    res.json(await service.verify(provider(callerOf(res)), body));
  });

  router.post('/x402/settle', acceptCallers(...PROVIDER_CALLERS), async (req, res) => {
    const service = facilitator();
    const body = parseInput(X402FacilitatorRequest, req.body, 'body');
    res.json(await service.settle(provider(callerOf(res)), body));
  });
}
