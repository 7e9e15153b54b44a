import type { Router } from 'express';
import { AppError, acceptCallers, callerOf, parseInput } from '@nexus/service-kit';
import {
  PROVIDER_CALLERS,
  PaymentIdParams,
  PaymentListQuery,
  PayRequest,
  RefundRequest,
  VerifyRequest,
  isProviderCaller,
  providerServiceId,
  type ServiceCaller,
} from '@nexus/types';
import type { PaymentService } from '../payment-service';

/** A provider may refund only a payment made to its own service; the gateway any. */
async function assertMayRefund(payments: PaymentService, id: string, caller: ServiceCaller): Promise<void> {
  if (!isProviderCaller(caller)) return;
  const payment = await payments.get(id);
  if (payment.serviceId !== providerServiceId(caller))
    throw new AppError('FORBIDDEN_CALLER', `${caller} may refund only payments to its own service; payment ${id} is not one`);
}

export function paymentRoutes(router: Router, payments: PaymentService): void {
  /** Settle a reservation. 201 for a new payment (whatever its status), 200 with `replayed` for a known idempotency key. */
  router.post('/payments', acceptCallers('gateway'), async (req, res) => {
    const payment = await payments.pay(parseInput(PayRequest, req.body, 'body'));
    res.status(payment.replayed ? 200 : 201).json(payment);
  });

  router.get('/payments', acceptCallers('gateway', 'operator'), async (req, res) => {
    res.json(await payments.list(parseInput(PaymentListQuery, req.query, 'query')));
  });

  /** Registered before `/payments/:id` routes would matter: `verify` is not a payment id. */
  router.post('/payments/verify', acceptCallers(...PROVIDER_CALLERS), async (req, res) => {
    const request = parseInput(VerifyRequest, req.body, 'body');
    const caller = callerOf(res);
    if (isProviderCaller(caller) && request.serviceId !== providerServiceId(caller))
      throw new AppError('FORBIDDEN_CALLER', `${caller} may verify only payments to its own service`);
    res.json(await payments.verify(request));
  });

  router.get('/payments/:id', acceptCallers('gateway', 'operator'), async (req, res) => {
    const { id } = parseInput(PaymentIdParams, req.params, 'params');
    res.json(await payments.get(id));
  });

  router.post('/payments/:id/refund', acceptCallers('gateway', ...PROVIDER_CALLERS), async (req, res) => {
    const { id } = parseInput(PaymentIdParams, req.params, 'params');
    const request = parseInput(RefundRequest, req.body, 'body');
    await assertMayRefund(payments, id, callerOf(res));
    res.json(await payments.refund(id, request));
  });

  router.get('/treasury', acceptCallers('gateway', 'operator'), async (_req, res) => {
    res.json(await payments.treasury());
  });
}
