import { setTimeout as sleep } from 'node:timers/promises';
import request, { type Response } from 'supertest';
import { verifyReceipt } from '@nexus/clients';
import { TestReceiptKeys } from '@nexus/clients/testing';
import { errorOf, expectValidationError } from '@nexus/service-kit/testing';
import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores/testing';
import { Payment, PaymentList, TreasuryView, VerifyResult } from '@nexus/types';
import { auth, createPaymentUnderTest, providerAuth, type PaymentUnderTest } from './testing/payment-harness';

// Hardhat's public development accounts #1 and #2, checksummed.
const PAYEE = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const OTHER_PAYEE = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const UNKNOWN_ID = `pay_${'0'.repeat(32)}`;
const SOME_TX_HASH = `0x${'ab'.repeat(32)}`;

let sequence = 0;
/** What the policy grants (signed into a grant by `pay`) and the request's idempotency key. */
interface PayTerms {
  agentId: string;
  serviceId: string;
  variant: string;
  amount: string;
  idempotencyKey: string;
  decisionId: string;
  reservationId: string;
  expiresAt: Date;
}
const payBody = (overrides: Partial<PayTerms> = {}): PayTerms => {
  sequence += 1;
  return {
    agentId: 'user-agent',
    serviceId: 'IMAGE_GEN',
    variant: 'standard',
    amount: '0.05',
    idempotencyKey: `app-spec-${sequence}`,
    decisionId: `dec_${sequence}`,
    reservationId: `res_${sequence}`,
    expiresAt: new Date(Date.now() + 120_000),
    ...overrides,
  };
};

/** POST /payments with this body as it is. */
const post = (service: PaymentUnderTest, body: unknown) =>
  request(service.app)
    .post('/payments')
    .set(auth)
    .send(body as object);
/** Pays on a grant of these terms, signed with the key the service trusts. */
const pay = async (service: PaymentUnderTest, { idempotencyKey, ...terms }: PayTerms) =>
  post(service, { grant: await service.grants.issue(terms), idempotencyKey });
const verify = (service: PaymentUnderTest, body: Record<string, unknown>) =>
  request(service.app).post('/payments/verify').set(providerAuth(body['serviceId'])).send(body);
const refund = (service: PaymentUnderTest, id: string, body: Record<string, unknown> = { reason: 'provider failed' }) =>
  request(service.app).post(`/payments/${id}/refund`).set(auth).send(body);
const list = (service: PaymentUnderTest, query: Record<string, string | number> = {}) =>
  request(service.app).get('/payments').set(auth).query(query);
const treasury = async (service: PaymentUnderTest) => {
  const response = await request(service.app).get('/treasury').set(auth);
  expect(response.status).toBe(200);
  return TreasuryView.parse(response.body);
};
const metricsText = async (service: PaymentUnderTest) => {
  const response = await request(service.app).get('/metrics');
  expect(response.status).toBe(200);
  return response.text;
};

/** A payment answer, checked against the shared contract. */
function paymentOf(response: Response, status: number): Payment {
  expect(response.status).toBe(status);
  return Payment.parse(response.body);
}

/** Whether one line of Prometheus text has these labels and this value. */
const metricLine = (text: string, name: string, labels: Record<string, string>, value: number) =>
  text
    .split('\n')
    .some(
      (line) =>
        line.startsWith(`${name}{`) &&
        Object.entries(labels).every(([label, expected]) => line.includes(`${label}="${expected}"`)) &&
        line.endsWith(` ${value}`),
    );

/** Idempotency and ledger-bound input checks, the same on every store the ledger runs on. */
function describeLedgerContract(storeName: string, open: () => Promise<PaymentUnderTest>): void {
  describe(`the ledger on ${storeName}`, () => {
    let service: PaymentUnderTest;
    beforeEach(async () => {
      service = await open();
    });
    afterEach(async () => {
      await service?.close();
    });

    it('answers a retried pay with the first payment: 200, replayed, the same id, nothing new in the ledger', async () => {
      const body = payBody({ amount: '1.25' });
      const first = paymentOf(await pay(service, body), 201);
      const before = await treasury(service);

      const retry = paymentOf(await pay(service, body), 200);

      expect(first.replayed).toBe(false);
      expect(retry).toEqual({ ...first, replayed: true });
      expect((await treasury(service)).ledger).toEqual(before.ledger);
      expect(metricLine(await metricsText(service), 'payment_idempotent_replays_total', {}, 1)).toBe(true);
    });

    it('treats the same amount written differently ("1.5" and "1.500") as the same request', async () => {
      const body = payBody({ amount: '1.5' });
      const first = paymentOf(await pay(service, body), 201);
      const retry = paymentOf(await pay(service, { ...body, amount: '1.500' }), 200);
      expect(retry.id).toBe(first.id);
      expect(retry.amount).toBe('1.50');
    });

    it('records and settles exactly one payment for 30 concurrent pays with the same key', async () => {
      const agentId = `burst-agent-${sequence}`;
      const body = payBody({ agentId, amount: '0.30' });
      const mockBefore = (await treasury(service)).ledger.MOCK.count;

      const responses = await Promise.all(Array.from({ length: 30 }, () => pay(service, body)));

      expect(responses.map((response) => response.status).sort()).toEqual([...Array<number>(29).fill(200), 201]);
      const payments = responses.map((response) => Payment.parse(response.body));
      expect(new Set(payments.map((payment) => payment.id)).size).toBe(1);
      expect(new Set(payments.map((payment) => payment.status))).toEqual(new Set(['MOCK']));
      expect(payments.filter((payment) => payment.replayed === false)).toHaveLength(1);
      const listed = PaymentList.parse((await list(service, { agentId })).body);
      expect(listed.items.map((item) => item.id)).toEqual([payments[0]?.id]);
      expect((await treasury(service)).ledger.MOCK.count).toBe(mockBefore + 1);
      const metrics = await metricsText(service);
      expect(metricLine(metrics, 'payment_payments_total', { status: 'MOCK', mode: 'mock' }, 1)).toBe(true);
      expect(metricLine(metrics, 'payment_idempotent_replays_total', {}, 29)).toBe(true);
      // the ledger gauges read the ledger at the scrape (pending payments and spend on the dashboard)
      expect(metricLine(metrics, 'payment_ledger_payments', { status: 'MOCK' }, mockBefore + 1)).toBe(true);
    });

    it('refuses a known key with a different amount: 409 IDEMPOTENCY_KEY_REUSED naming the field, nothing recorded', async () => {
      const body = payBody({ amount: '0.50' });
      const first = paymentOf(await pay(service, body), 201);
      const before = await treasury(service);

      const response = await pay(service, { ...body, amount: '0.51' });

      const error = errorOf(response, 409, 'IDEMPOTENCY_KEY_REUSED');
      expect(error.details).toEqual([{ path: 'body.grant.amount', message: 'differs from the payment recorded under this key' }]);
      expect((await treasury(service)).ledger).toEqual(before.ledger);
      expect(paymentOf(await request(service.app).get(`/payments/${first.id}`).set(auth), 200).amount).toBe('0.50');
    });

    it('refuses a known key reused for another agent and service (so another payee), naming every field that differs', async () => {
      const body = payBody();
      paymentOf(await pay(service, body), 201);
      const response = await pay(service, { ...body, agentId: 'batch-agent', serviceId: 'LOG_ARCHIVE' });
      const error = errorOf(response, 409, 'IDEMPOTENCY_KEY_REUSED');
      expect(error.details?.map((detail) => detail.path)).toEqual(['body.grant.agentId', 'body.grant.serviceId', 'body.grant.payee']);
    });

    // PostgreSQL text cannot hold NUL: unchecked, the insert failed and the caller got a 500.
    it('refuses a NUL character in the decision or reservation id of a grant (403) or a refund reason (400), never 500', async () => {
      const before = await treasury(service);

      errorOf(await pay(service, payBody({ decisionId: 'dec\u0000x' })), 403, 'GRANT_INVALID');
      errorOf(await pay(service, payBody({ reservationId: 'res\u0000x' })), 403, 'GRANT_INVALID');
      expect((await treasury(service)).ledger).toEqual(before.ledger);

      const created = paymentOf(await pay(service, payBody()), 201);
      expectValidationError(await refund(service, created.id, { reason: 'provider\u0000failed' }), ['body.reason']);
      expect(paymentOf(await request(service.app).get(`/payments/${created.id}`).set(auth), 200).status).toBe('MOCK');
    });
  });
}

describe('payment service HTTP API in mock mode', () => {
  describeLedgerContract('SQLite', () => createPaymentUnderTest());

  describe('on PostgreSQL', () => {
    let postgres: TemporaryPostgres | undefined;
    beforeAll(async () => {
      postgres = await createTemporaryPostgres('nexus_payment_app');
    });
    afterAll(async () => {
      await postgres?.drop();
    });
    const openOnPostgres = () => {
      if (!postgres) throw new Error('the temporary PostgreSQL database was not created');
      return createPaymentUnderTest({ databaseUrl: postgres.url });
    };
    describeLedgerContract('PostgreSQL', openOnPostgres);

    it('records and settles exactly one payment for 30 concurrent same-key pays spread over two replicas', async () => {
      const replicas = await Promise.all([openOnPostgres(), openOnPostgres()]);
      try {
        const agentId = `replica-agent-${sequence}`;
        const body = payBody({ agentId, amount: '0.70' });

        const responses = await Promise.all(Array.from({ length: 30 }, (_, index) => pay(replicas[index % 2] as PaymentUnderTest, body)));

        expect(responses.map((response) => response.status).sort()).toEqual([...Array<number>(29).fill(200), 201]);
        const payments = responses.map((response) => Payment.parse(response.body));
        expect(new Set(payments.map((payment) => payment.id)).size).toBe(1);
        expect(new Set(payments.map((payment) => payment.status))).toEqual(new Set(['MOCK']));
        const listed = PaymentList.parse((await list(replicas[0] as PaymentUnderTest, { agentId })).body);
        expect(listed.items.map((item) => item.id)).toEqual([payments[0]?.id]);
        const settledBy = await Promise.all(
          replicas.map(async (replica) =>
            metricLine(await metricsText(replica), 'payment_payments_total', { status: 'MOCK', mode: 'mock' }, 1),
          ),
        );
        expect(settledBy.filter(Boolean)).toHaveLength(1);
      } finally {
        await Promise.all(replicas.map((replica) => replica.close()));
      }
    });
  });

  describe('on a fresh SQLite ledger', () => {
    let service: PaymentUnderTest;
    beforeEach(async () => {
      service = await createPaymentUnderTest();
    });
    afterEach(async () => {
      await service?.close();
    });

    describe('end to end', () => {
      it('records a pay as MOCK with no transaction, the amount as a decimal string and a checksummed payee', async () => {
        const body = payBody({ amount: '0.5', reservationId: 'res_e2e' });

        const created = paymentOf(await pay(service, body), 201);

        expect(created).toEqual({
          id: expect.stringMatching(/^pay_[0-9a-f]{32}$/),
          status: 'MOCK',
          mode: 'mock',
          amount: '0.50',
          agentId: 'user-agent',
          serviceId: 'IMAGE_GEN',
          payee: PAYEE,
          decisionId: body.decisionId,
          reservationId: 'res_e2e',
          idempotencyKey: body.idempotencyKey,
          paymentRef: null,
          txHash: null,
          blockNumber: null,
          gasUsed: null,
          failure: null,
          refund: null,
          attempts: 1,
          createdAt: expect.any(String),
          settledAt: expect.any(String),
          replayed: false,
          receipt: expect.any(String),
        });
        const fetched = paymentOf(await request(service.app).get(`/payments/${created.id}`).set(auth), 200);
        expect(fetched).toEqual({ ...created, replayed: undefined, receipt: undefined });
        expect('replayed' in fetched).toBe(false);
        expect('receipt' in fetched).toBe(false);
      });

      it("answers a mock pay, and its replay, with the payment service's signed receipt for the provider", async () => {
        const body = payBody({ amount: '0.5' });
        const created = paymentOf(await pay(service, body), 201);
        const check = await verifyReceipt(created.receipt ?? '', service.receipts.publicKey);
        expect(check).toEqual({
          valid: true,
          claims: expect.objectContaining({ paymentId: created.id, serviceId: 'IMAGE_GEN', payee: PAYEE, amount: '0.50' }),
        });
        const replayed = paymentOf(await pay(service, body), 200);
        expect(await verifyReceipt(replayed.receipt ?? '', service.receipts.publicKey)).toMatchObject({ valid: true });
        expect(await verifyReceipt(created.receipt ?? '', new TestReceiptKeys().publicKey)).toMatchObject({ valid: false });
      });

      it('keeps every decimal of a six-decimal amount and pads whole amounts to two decimals', async () => {
        expect(paymentOf(await pay(service, payBody({ amount: '0.000001' })), 201).amount).toBe('0.000001');
        expect(paymentOf(await pay(service, payBody({ amount: '12' })), 201).amount).toBe('12.00');
        expect(paymentOf(await pay(service, payBody({ amount: '3.140000' })), 201).amount).toBe('3.14');
      });

      it('verifies a mock payment by id for the right payee, service and amount', async () => {
        const created = paymentOf(await pay(service, payBody({ amount: '0.50' })), 201);

        const exact = await verify(service, { paymentId: created.id, payee: PAYEE, serviceId: 'IMAGE_GEN', amount: '0.50' });
        const lower = await verify(service, { paymentId: created.id, payee: PAYEE.toLowerCase(), serviceId: 'IMAGE_GEN', amount: '0.4' });

        expect(exact.status).toBe(200);
        expect(VerifyResult.parse(exact.body)).toMatchObject({ valid: true, reason: 'VALID', payment: { id: created.id, status: 'MOCK' } });
        expect(VerifyResult.parse(lower.body)).toMatchObject({ valid: true, reason: 'VALID' });
      });

      it.each([
        ['the wrong payee', { payee: OTHER_PAYEE }, 'WRONG_PAYEE'],
        ['the wrong service', { serviceId: 'LOG_ARCHIVE' }, 'WRONG_SERVICE'],
        ['an amount below the price', { amount: '0.500001' }, 'AMOUNT_TOO_LOW'],
      ] as const)('refuses to verify a payment for %s', async (_case, override, reason) => {
        const created = paymentOf(await pay(service, payBody({ amount: '0.50' })), 201);

        const response = await verify(service, {
          paymentId: created.id,
          payee: PAYEE,
          serviceId: 'IMAGE_GEN',
          amount: '0.50',
          ...override,
        });

        expect(response.status).toBe(200);
        expect(VerifyResult.parse(response.body)).toMatchObject({ valid: false, reason, payment: { id: created.id } });
      });

      it('answers UNKNOWN_PAYMENT for an unknown payment id, and for any tx hash in mock mode', async () => {
        paymentOf(await pay(service, payBody()), 201);
        const byId = await verify(service, { paymentId: UNKNOWN_ID, payee: PAYEE, serviceId: 'IMAGE_GEN', amount: '0.05' });
        const byHash = await verify(service, { txHash: SOME_TX_HASH, payee: PAYEE, serviceId: 'IMAGE_GEN', amount: '0.05' });

        expect(byId.status).toBe(200);
        expect(VerifyResult.parse(byId.body)).toEqual({
          valid: false,
          reason: 'UNKNOWN_PAYMENT',
          message: expect.any(String),
          payment: null,
        });
        expect(byHash.status).toBe(200);
        expect(VerifyResult.parse(byHash.body)).toEqual({
          valid: false,
          reason: 'UNKNOWN_PAYMENT',
          message: expect.any(String),
          payment: null,
        });
      });

      it('answers NOT_SETTLED for a payment that is still pending or failed, and refuses to refund them', async () => {
        const now = new Date();
        const ids = [`pay_${'a'.repeat(32)}`, `pay_${'b'.repeat(32)}`];
        for (const [index, id] of ids.entries()) {
          await service.store.open(
            {
              id,
              idempotencyKey: `not-settled-${index}`,
              agentId: 'user-agent',
              serviceId: 'IMAGE_GEN',
              payee: PAYEE,
              amount: 50_000n,
              decisionId: `dec_not_settled_${index}`,
              reservationId: null,
              mode: 'mock',
              paymentRef: null,
            },
            now,
          );
        }
        await service.store.markFailed(ids[1] ?? '', { code: 'PAYMENT_REVERTED', message: 'refused' }, now);

        for (const [id, status] of [
          [ids[0], 'PENDING'],
          [ids[1], 'FAILED'],
        ] as const) {
          const verified = await verify(service, { paymentId: id, payee: PAYEE, serviceId: 'IMAGE_GEN', amount: '0.05' });
          expect(VerifyResult.parse(verified.body)).toMatchObject({ valid: false, reason: 'NOT_SETTLED', payment: { id, status } });
          errorOf(await refund(service, id ?? ''), 409, 'PAYMENT_NOT_REFUNDABLE');
          expect((await service.store.get(id ?? ''))?.status).toBe(status);
        }
      });

      it('refunds a mock payment once: REFUNDED with the reason, a second refund replays it, verify then says REFUNDED', async () => {
        const created = paymentOf(await pay(service, payBody({ amount: '0.50' })), 201);

        const refunded = paymentOf(await refund(service, created.id, { reason: 'provider failed' }), 200);
        const again = paymentOf(await refund(service, created.id, { reason: 'asked twice' }), 200);
        const verified = await verify(service, { paymentId: created.id, payee: PAYEE, serviceId: 'IMAGE_GEN', amount: '0.50' });

        expect(refunded).toMatchObject({
          id: created.id,
          status: 'REFUNDED',
          replayed: false,
          refund: { txHash: null, reason: 'provider failed', refundedAt: expect.any(String) },
        });
        expect(again).toEqual({ ...refunded, replayed: true });
        expect(VerifyResult.parse(verified.body)).toMatchObject({ valid: false, reason: 'REFUNDED', payment: { status: 'REFUNDED' } });
        expect(paymentOf(await request(service.app).get(`/payments/${created.id}`).set(auth), 200).status).toBe('REFUNDED');
        expect(metricLine(await metricsText(service), 'payment_refunds_total', {}, 1)).toBe(true);
      });

      it('refunds once under 10 concurrent refunds of the same payment', async () => {
        const created = paymentOf(await pay(service, payBody()), 201);

        const responses = await Promise.all(Array.from({ length: 10 }, () => refund(service, created.id)));

        const refunds = responses.map((response) => paymentOf(response, 200));
        expect(refunds.map((payment) => payment.status)).toEqual(Array<string>(10).fill('REFUNDED'));
        expect(refunds.filter((payment) => payment.replayed === false)).toHaveLength(1);
        expect(metricLine(await metricsText(service), 'payment_refunds_total', {}, 1)).toBe(true);
      });

      it('shows the mock treasury: no address or balance, and the ledger by status as decimal strings', async () => {
        const empty = await treasury(service);
        expect(empty.ledger).toEqual({
          PENDING: { count: 0, amount: '0.00' },
          SUCCESS: { count: 0, amount: '0.00' },
          FAILED: { count: 0, amount: '0.00' },
          MOCK: { count: 0, amount: '0.00' },
          REFUNDED: { count: 0, amount: '0.00' },
        });

        const refundedPayment = paymentOf(await pay(service, payBody({ amount: '0.25' })), 201);
        paymentOf(await pay(service, payBody({ amount: '0.50' })), 201);
        paymentOf(await pay(service, payBody({ amount: '1.000001' })), 201);
        paymentOf(await refund(service, refundedPayment.id), 200);

        expect(await treasury(service)).toEqual({
          mode: 'mock',
          address: null,
          chainId: null,
          router: null,
          token: null,
          balance: null,
          allowance: null,
          ledger: {
            PENDING: { count: 0, amount: '0.00' },
            SUCCESS: { count: 0, amount: '0.00' },
            FAILED: { count: 0, amount: '0.00' },
            MOCK: { count: 2, amount: '1.500001' },
            REFUNDED: { count: 1, amount: '0.25' },
          },
        });
      });
    });

    describe('bad input', () => {
      const expectLedgerEmpty = async () => {
        expect(PaymentList.parse((await list(service)).body)).toEqual({ items: [], nextCursor: null });
        expect(Object.values((await treasury(service)).ledger).every((total) => total.count === 0)).toBe(true);
      };

      it.each([
        ['a grant that is not a JWS', { grant: 'not-a-grant' }, ['body.grant'], /compact JWS/],
        ['an idempotency key with a space', { idempotencyKey: 'a key' }, ['body.idempotencyKey'], /printable/],
        ['a payee of its own choosing', { payee: OTHER_PAYEE }, ['body'], /payee/],
        ['an amount of its own choosing', { amount: '0.01' }, ['body'], /amount/],
      ] as const)('refuses a pay with %s: 400 VALIDATION_ERROR, nothing recorded', async (_case, override, paths, message) => {
        const { idempotencyKey, ...terms } = payBody();
        const body = { grant: await service.grants.issue(terms), idempotencyKey, ...override };
        const error = expectValidationError(await post(service, body), [...paths]);
        expect(error.details?.[0]?.message).toMatch(message);
        await expectLedgerEmpty();
      });

      it('refuses a pay with missing fields, naming every one of them', async () => {
        expectValidationError(await post(service, { agentId: 'user-agent' }), ['body', 'body.grant', 'body.idempotencyKey']);
        expectValidationError(await request(service.app).post('/payments').set(auth), ['body.grant', 'body.idempotencyKey']);
        await expectLedgerEmpty();
      });

      it('refuses a JSON array or a form body as a pay', async () => {
        expectValidationError(await post(service, [payBody()]), ['body']);
        const form = await request(service.app).post('/payments').set(auth).type('form').send({ grant: 'a.b.c', idempotencyKey: 'form' });
        expect(form.status).toBe(400);
        expect(errorOf(form, 400, 'VALIDATION_ERROR').details?.length).toBeGreaterThan(0);
        await expectLedgerEmpty();
      });

      it('answers 400 MALFORMED_JSON to a body that is not JSON', async () => {
        const response = await request(service.app)
          .post('/payments')
          .set(auth)
          .set('Content-Type', 'application/json')
          .send('{"agentId": "user-agent", "amount": ');
        expect(errorOf(response, 400, 'MALFORMED_JSON').details).toBeUndefined();
        const scalar = await request(service.app).post('/payments').set(auth).set('Content-Type', 'application/json').send('"0.05"');
        errorOf(scalar, 400, 'MALFORMED_JSON');
        await expectLedgerEmpty();
      });

      it('refuses a verify that gives both or neither of paymentId and txHash', async () => {
        const created = paymentOf(await pay(service, payBody()), 201);
        const base = { payee: PAYEE, serviceId: 'IMAGE_GEN', amount: '0.05' };

        const both = expectValidationError(await verify(service, { ...base, paymentId: created.id, txHash: SOME_TX_HASH }), [
          'body.paymentId',
        ]);
        const neither = expectValidationError(await verify(service, base), ['body.paymentId']);

        expect(both.details?.[0]?.message).toBe('give exactly one of paymentId and txHash');
        expect(neither.details?.[0]?.message).toBe('give exactly one of paymentId and txHash');
      });

      it('refuses a verify with a malformed id, hash, payee or amount', async () => {
        expectValidationError(await verify(service, { paymentId: 'pay_123', payee: 'nobody', serviceId: 'IMAGE_GEN', amount: 0.05 }), [
          'body.paymentId',
          'body.payee',
          'body.amount',
        ]);
        expectValidationError(await verify(service, { txHash: '0x1234', payee: PAYEE, serviceId: 'IMAGE_GEN', amount: '0.05' }), [
          'body.txHash',
        ]);
      });

      it.each([
        ['limit=0', { limit: 0 }, 'query.limit'],
        ['limit=1000', { limit: 1000 }, 'query.limit'],
        ['limit=ten', { limit: 'ten' }, 'query.limit'],
        ['status=BOGUS', { status: 'BOGUS' }, 'query.status'],
        ['a lowercase status', { status: 'mock' }, 'query.status'],
        ['a garbage cursor', { cursor: 'not-a-cursor' }, 'query.cursor'],
        ['a cursor of another shape', { cursor: Buffer.from('12:pay_1', 'utf8').toString('base64url') }, 'query.cursor'],
        ['an unknown filter', { payee: PAYEE }, 'query'],
      ] as const)('refuses a list with %s', async (_case, query, path) => {
        expectValidationError(await list(service, query), [path]);
      });

      it('refuses a list with a repeated parameter instead of failing', async () => {
        const response = await request(service.app).get('/payments?status=MOCK&status=REFUNDED').set(auth);
        expectValidationError(response, ['query.status']);
      });

      it('answers 400 for a malformed payment id and 404 PAYMENT_NOT_FOUND for an unknown one', async () => {
        expectValidationError(await request(service.app).get('/payments/not-an-id').set(auth), ['params.id']);
        expectValidationError(
          await request(service.app)
            .get(`/payments/pay_${'0'.repeat(31)}`)
            .set(auth),
          ['params.id'],
        );
        const missing = errorOf(await request(service.app).get(`/payments/${UNKNOWN_ID}`).set(auth), 404, 'PAYMENT_NOT_FOUND');
        expect(missing.message).toContain(UNKNOWN_ID);
      });

      it('answers 404 PAYMENT_NOT_FOUND to a refund of an unknown payment, and 400 to one without a reason', async () => {
        errorOf(await refund(service, UNKNOWN_ID), 404, 'PAYMENT_NOT_FOUND');
        expectValidationError(await refund(service, 'not-an-id'), ['params.id']);

        const created = paymentOf(await pay(service, payBody()), 201);
        expectValidationError(await refund(service, created.id, {}), ['body.reason']);
        expectValidationError(await refund(service, created.id, { reason: '' }), ['body.reason']);
        expectValidationError(await request(service.app).post(`/payments/${created.id}/refund`).set(auth), ['body.reason']);
        expectValidationError(await refund(service, created.id, { reason: 'x', txHash: 'nope' }), ['body.txHash']);
        expectValidationError(await refund(service, created.id, { reason: 'x', extra: true }), ['body']);
        expect(paymentOf(await request(service.app).get(`/payments/${created.id}`).set(auth), 200).status).toBe('MOCK');
      });

      it('answers 404 NOT_FOUND in the error format for a route that does not exist', async () => {
        errorOf(await request(service.app).get('/nowhere').set(auth), 404, 'NOT_FOUND');
        errorOf(await request(service.app).delete(`/payments/${UNKNOWN_ID}`).set(auth), 404, 'NOT_FOUND');
      });
    });

    describe('auth', () => {
      it.each([
        ['no Authorization header', undefined],
        ['a wrong token', 'Bearer not-the-internal-token'],
        ['an empty bearer', 'Bearer '],
        ['another scheme', `Basic ${Buffer.from('user:pass').toString('base64')}`],
      ])('answers 401 to %s on every internal route, and records nothing', async (_case, header) => {
        const withAuth = (test: request.Test) => (header === undefined ? test : test.set('Authorization', header));
        const responses = await Promise.all([
          withAuth(request(service.app).post('/payments')).send({ grant: await service.grants.issue(payBody()), idempotencyKey: 'auth' }),
          withAuth(request(service.app).get('/payments')),
          withAuth(request(service.app).get(`/payments/${UNKNOWN_ID}`)),
          withAuth(request(service.app).post('/payments/verify')).send({}),
          withAuth(request(service.app).post(`/payments/${UNKNOWN_ID}/refund`)).send({ reason: 'x' }),
          withAuth(request(service.app).get('/treasury')),
        ]);
        for (const response of responses) {
          errorOf(response, 401, 'UNAUTHORIZED');
          expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
        }
        expect((await treasury(service)).ledger.MOCK.count).toBe(0);
      });

      it('serves /health and /metrics without a token', async () => {
        const health = await request(service.app).get('/health');
        expect(health.status).toBe(200);
        expect(health.body).toMatchObject({ status: 'ok', service: 'payment', checks: { store: { status: 'ok' } } });
        expect(health.body.checks).not.toHaveProperty('chain');
        const metrics = await request(service.app).get('/metrics');
        expect(metrics.status).toBe(200);
        expect(metrics.text).toContain('# TYPE payment_payments_total counter');
      });

      it('counts payments by status and mode in /metrics', async () => {
        paymentOf(await pay(service, payBody()), 201);
        paymentOf(await pay(service, payBody()), 201);
        expect(metricLine(await metricsText(service), 'payment_payments_total', { status: 'MOCK', mode: 'mock' }, 2)).toBe(true);
      });
    });

    describe('listing', () => {
      const createSeven = async () => {
        const made: Payment[] = [];
        const plan = [
          ['user-agent', 'IMAGE_GEN'],
          ['batch-agent', 'BATCH_COMPUTE'],
          ['user-agent', 'PRICE_ORACLE'],
          ['user-agent', 'IMAGE_GEN'],
          ['batch-agent', 'IMAGE_GEN'],
          ['batch-agent', 'BATCH_COMPUTE'],
          ['user-agent', 'IMAGE_GEN'],
        ] as const;
        for (const [agentId, serviceId] of plan) {
          made.push(paymentOf(await pay(service, payBody({ agentId, serviceId })), 201));
          await sleep(3); // distinct creation times, so "newest first" is the creation order reversed
        }
        return made;
      };
      const ids = (payments: readonly Payment[]) => payments.map((payment) => payment.id);

      it('walks every payment newest first in pages of 3 by nextCursor, with no duplicate and none missed', async () => {
        const made = await createSeven();
        const pages: PaymentList[] = [];
        let cursor: string | null | undefined;
        do {
          const response = await list(service, { limit: 3, ...(cursor ? { cursor } : {}) });
          expect(response.status).toBe(200);
          const page = PaymentList.parse(response.body);
          pages.push(page);
          cursor = page.nextCursor;
        } while (cursor && pages.length < 10);

        expect(pages.map((page) => page.items.length)).toEqual([3, 3, 1]);
        expect(pages.map((page) => page.nextCursor === null)).toEqual([false, false, true]);
        expect(pages.flatMap((page) => ids(page.items))).toEqual(ids(made).reverse());
      });

      it('ends with a null cursor when the last page is exactly full', async () => {
        const made = await createSeven();
        const first = PaymentList.parse((await list(service, { limit: 7 })).body);
        expect(ids(first.items)).toEqual(ids(made).reverse());
        expect(first.nextCursor).toBeNull();
      });

      it('filters by agent, by service and by both, keeping newest first', async () => {
        const made = await createSeven();
        const expected = (keep: (payment: Payment) => boolean) => ids(made.filter(keep)).reverse();

        const byAgent = PaymentList.parse((await list(service, { agentId: 'batch-agent' })).body);
        const byService = PaymentList.parse((await list(service, { serviceId: 'IMAGE_GEN' })).body);
        const byBoth = PaymentList.parse((await list(service, { agentId: 'user-agent', serviceId: 'IMAGE_GEN', limit: 2 })).body);
        const byBothRest = PaymentList.parse(
          (await list(service, { agentId: 'user-agent', serviceId: 'IMAGE_GEN', limit: 2, cursor: byBoth.nextCursor ?? '' })).body,
        );
        const nobody = PaymentList.parse((await list(service, { agentId: 'ghost-agent' })).body);

        expect(ids(byAgent.items)).toEqual(expected((payment) => payment.agentId === 'batch-agent'));
        expect(byAgent.items).toHaveLength(3);
        expect(ids(byService.items)).toEqual(expected((payment) => payment.serviceId === 'IMAGE_GEN'));
        expect(byService.items).toHaveLength(4);
        expect([...ids(byBoth.items), ...ids(byBothRest.items)]).toEqual(
          expected((payment) => payment.agentId === 'user-agent' && payment.serviceId === 'IMAGE_GEN'),
        );
        expect(byBoth.items).toHaveLength(2);
        expect(byBothRest).toMatchObject({ nextCursor: null });
        expect(byBothRest.items).toHaveLength(1);
        expect(nobody).toEqual({ items: [], nextCursor: null });
      });

      it('filters by status: MOCK and REFUNDED split the ledger', async () => {
        const made = await createSeven();
        const refundedIds = [made[1]?.id ?? '', made[4]?.id ?? ''];
        for (const id of refundedIds) paymentOf(await refund(service, id), 200);

        const refunded = PaymentList.parse((await list(service, { status: 'REFUNDED' })).body);
        const mock = PaymentList.parse((await list(service, { status: 'MOCK' })).body);
        const failed = PaymentList.parse((await list(service, { status: 'FAILED' })).body);

        expect(ids(refunded.items)).toEqual([...refundedIds].reverse());
        expect(refunded.items.every((payment) => payment.status === 'REFUNDED')).toBe(true);
        expect(ids(mock.items)).toEqual(ids(made.filter((payment) => !refundedIds.includes(payment.id))).reverse());
        expect(mock.items.every((payment) => payment.status === 'MOCK')).toBe(true);
        expect(failed.items).toEqual([]);
      });
    });
  });
});
