import request from 'supertest';
import { authAs } from '@nexus/service-kit/testing';
import { ErrorBody, Payment, TreasuryView, type ServiceCaller } from '@nexus/types';
import { auth, createPaymentUnderTest, type PaymentUnderTest } from './testing/payment-harness';

// Hardhat's public development account #1 (IMAGE_GEN's payee in services.yaml).
const PAYEE = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

let service: PaymentUnderTest;
let sequence = 0;
/** A pay request with a fresh grant the payment service trusts, for one of IMAGE_GEN's holds by default. */
const payBody = async (serviceId = 'IMAGE_GEN') => {
  sequence += 1;
  const grant = await service.grants.issue({ agentId: 'user-agent', serviceId, amount: '1.25' });
  return { grant, idempotencyKey: `least-privilege-${sequence}` };
};

const codeOf = (body: unknown) => ErrorBody.safeParse(body).data?.error.code;

describe('the payment service gives each caller only what it needs', () => {
  const ledgerCount = async () => {
    const response = await request(service.app).get('/treasury').set(auth);
    return TreasuryView.parse(response.body).ledger.MOCK.count;
  };
  const paid = async (serviceId = 'IMAGE_GEN') => {
    const response = await request(service.app)
      .post('/payments')
      .set(auth)
      .send(await payBody(serviceId));
    expect(response.status).toBe(201);
    return Payment.parse(response.body);
  };

  beforeAll(async () => {
    service = await createPaymentUnderTest();
  });
  afterAll(async () => {
    await service.close();
  });

  it.each<ServiceCaller>(['image-gen', 'price-oracle', 'batch-compute', 'log-archive', 'operator'])(
    "refuses %s's credential on POST /payments (403 FORBIDDEN_CALLER), and pays nothing",
    async (caller) => {
      const before = await ledgerCount();
      const response = await request(service.app)
        .post('/payments')
        .set(authAs(caller))
        .send(await payBody());
      expect({ status: response.status, code: codeOf(response.body) }).toEqual({ status: 403, code: 'FORBIDDEN_CALLER' });
      expect(await ledgerCount()).toBe(before);
    },
  );

  it("answers 401 to a missing or unknown token, and to the hash of the gateway's token sent as a token", async () => {
    const before = await ledgerCount();
    for (const header of [undefined, 'Bearer not-a-token-of-this-stack-0123', `Bearer ${'0'.repeat(64)}`]) {
      const call = request(service.app).post('/payments');
      const response = await (header === undefined ? call : call.set('Authorization', header)).send(await payBody());
      expect({ status: response.status, code: codeOf(response.body) }).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    }
    expect(await ledgerCount()).toBe(before);
  });

  it("refuses a provider's refund of another service's payment, and leaves it paid", async () => {
    const payment = await paid('IMAGE_GEN');
    const response = await request(service.app).post(`/payments/${payment.id}/refund`).set(authAs('price-oracle')).send({ reason: 'x' });
    expect({ status: response.status, code: codeOf(response.body) }).toEqual({ status: 403, code: 'FORBIDDEN_CALLER' });
    const now = await request(service.app).get(`/payments/${payment.id}`).set(auth);
    expect(Payment.parse(now.body).status).toBe('MOCK');
  });

  it('lets a provider refund a payment of its own service, and the gateway any', async () => {
    const own = await paid('IMAGE_GEN');
    const refunded = await request(service.app).post(`/payments/${own.id}/refund`).set(authAs('image-gen')).send({ reason: 'failed' });
    expect(refunded.status).toBe(200);
    expect(Payment.parse(refunded.body).status).toBe('REFUNDED');
    const other = await paid('LOG_ARCHIVE');
    const byGateway = await request(service.app).post(`/payments/${other.id}/refund`).set(auth).send({ reason: 'failed' });
    expect(Payment.parse(byGateway.body).status).toBe('REFUNDED');
  });

  it("refuses a provider's verification of another service's payment, and the gateway's verification", async () => {
    const payment = await paid('IMAGE_GEN');
    const body = { paymentId: payment.id, payee: PAYEE, serviceId: 'IMAGE_GEN', amount: '1.25' };
    const byOther = await request(service.app).post('/payments/verify').set(authAs('log-archive')).send(body);
    expect({ status: byOther.status, code: codeOf(byOther.body) }).toEqual({ status: 403, code: 'FORBIDDEN_CALLER' });
    const byGateway = await request(service.app).post('/payments/verify').set(auth).send(body);
    expect({ status: byGateway.status, code: codeOf(byGateway.body) }).toEqual({ status: 403, code: 'FORBIDDEN_CALLER' });
    const byOwn = await request(service.app).post('/payments/verify').set(authAs('image-gen')).send(body);
    expect(byOwn.body).toMatchObject({ valid: true, reason: 'VALID' });
  });

  it("refuses a provider's credential on the ledger's lists and the treasury; the operator may read them", async () => {
    for (const path of ['/payments', '/treasury']) {
      const byProvider = await request(service.app).get(path).set(authAs('batch-compute'));
      expect({ path, status: byProvider.status, code: codeOf(byProvider.body) }).toEqual({ path, status: 403, code: 'FORBIDDEN_CALLER' });
      expect((await request(service.app).get(path).set(authAs('operator'))).status).toBe(200);
    }
  });

  it('does not know the credentials of callers it never accepts (policy, logger): 401', async () => {
    for (const caller of ['policy', 'logger'] as const) {
      const response = await request(service.app).get('/payments').set(authAs(caller));
      expect({ caller, status: response.status }).toEqual({ caller, status: 401 });
    }
  });
});
