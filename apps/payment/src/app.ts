import type { Express } from 'express';
import type { Registry } from 'prom-client';
import { AppError, createServiceApp, type CallerDigests, type Logger } from '@nexus/service-kit';
import { isStoreUnavailable, type PaymentStore } from '@nexus/stores';
import { ChainUnavailableError } from './chain/chain-unavailable';
import type { PaymentService } from './payment-service';
import { paymentRoutes } from './routes/payment-routes';
import type { Settler } from './settler';
import { x402PaymentRoutes } from './x402/x402-payment-routes';
import type { X402Payments } from './x402/x402-payments';
import { x402Routes } from './x402/x402-routes';
import type { X402Service } from './x402/x402-service';

export interface PaymentAppDeps {
  payments: PaymentService;
  store: Pick<PaymentStore, 'ping'>;
  settler: Pick<Settler, 'ping' | 'mode'>;
  logger: Logger;
  /** the callers this service knows → the sha256 of each one's token (CALLERS_ACCEPTED_BY.payment in @nexus/types) */
  callers: CallerDigests;
  registry: Registry;
  /** the x402 facilitator of this service's chain; none in mock mode (its routes answer 409) */
  x402?: X402Service | undefined;
  /** our agents' payments to external x402 services; none in mock mode (its routes answer 409) */
  x402Payments?: X402Payments | undefined;
}

/** The payment service's HTTP API (internal: every route but health and metrics needs the token of a caller it accepts). */
export function createApp(deps: PaymentAppDeps): Express {
  return createServiceApp({
    name: 'payment',
    logger: deps.logger,
    callers: deps.callers,
    registry: deps.registry,
    healthChecks: {
      store: () => deps.store.ping(),
      ...(deps.settler.mode === 'chain' ? { chain: () => deps.settler.ping() } : {}),
    },
    mapError: (error) => {
      if (error instanceof ChainUnavailableError)
        return new AppError('CHAIN_UNAVAILABLE', 'the chain RPC did not answer; retry shortly', { cause: error });
      if (isStoreUnavailable(error))
        return new AppError('SERVICE_UNAVAILABLE', 'the payments ledger is unavailable; nothing was sent, retry shortly', {
          cause: error,
        });
      return undefined;
    },
    routes: (router) => {
      paymentRoutes(router, deps.payments);
      x402Routes(router, deps.x402);
      x402PaymentRoutes(router, deps.x402Payments);
    },
  });
}
