import type { Router } from 'express';
import { parseInput } from '@nexus/service-kit';
import { PaymentIdParams, PaymentListQuery, PayRequest, RefundRequest, VerifyRequest } from '@nexus/types';
import type { PaymentService } from '../payment-service';

export function paymentRoutes(router: Router, payments: PaymentService): void {
  /** Settle a reservation. 201 for a new payment (whatever its status), 200 with `replayed` for a known idempotency key. */
  router.post('/payments', async (req, res) => {
    const payment = await payments.pay(parseInput(PayRequest, req.body, 'body'));
    res.status(payment.replayed ? 200 : 201).json(payment);
  });

  router.get('/payments', async (req, res) => {
    res.json(await payments.list(parseInput(PaymentListQuery, req.query, 'query')));
  });

  /** Registered before `/payments/:id` routes would matter: `verify` is not a payment id. */
  router.post('/payments/verify', async (req, res) => {
    res.json(await payments.verify(parseInput(VerifyRequest, req.body, 'body')));
  });

  router.get('/payments/:id', async (req, res) => {
    const { id } = parseInput(PaymentIdParams, req.params, 'params');
    res.json(await payments.get(id));
  });

  router.post('/payments/:id/refund', async (req, res) => {
    const { id } = parseInput(PaymentIdParams, req.params, 'params');
    res.json(await payments.refund(id, parseInput(RefundRequest, req.body, 'body')));
  });

  router.get('/treasury', async (_req, res) => {
    res.json(await payments.treasury());
  });
}
