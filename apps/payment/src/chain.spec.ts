import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { parseUnits } from 'ethers';
import { MNEEPaymentRouter__factory, MNEEToken__factory, paymentRefOf, routerEventTopics, serviceIdToBytes32 } from '@nexus/chain';
import { startTestChain, type TestChain } from '@nexus/chain/testing';
import { auth, createPaymentUnderTest, providerAuth, type PaymentUnderTest } from './testing/payment-harness';

const mnee = (amount: string) => parseUnits(amount, 18);

/** What the policy grants (signed into a grant by `pay`) and the request's idempotency key. */
interface PayTerms {
  agentId: string;
  serviceId: string;
  amount: string;
  idempotencyKey: string;
  decisionId: string;
  reservationId: string;
}

describe('payment service in chain mode, on a real Hardhat node', () => {
  let chain: TestChain;
  let payment: PaymentUnderTest;
  let sequence = 0;
  const payee = () => chain.payees[0]!.address;
  const payBody = (overrides: Partial<PayTerms> = {}): PayTerms => {
    sequence += 1;
    return {
      agentId: 'user-agent',
      serviceId: 'IMAGE_GEN',
      amount: '0.50',
      idempotencyKey: `chain-${sequence}`,
      decisionId: `dec_${sequence}`,
      reservationId: `res_${sequence}`,
      ...overrides,
    };
  };
  /** Pays on a grant of these terms, signed with the key the service trusts. */
  const pay = async ({ idempotencyKey, ...terms }: PayTerms) =>
    request(payment.app)
      .post('/payments')
      .set(auth)
      .send({ grant: await payment.grants.issue(terms), idempotencyKey });
  const balanceOf = (address: string) => MNEEToken__factory.connect(chain.deployment.token.address, chain.provider).balanceOf(address);
  const treasuryNonce = () => chain.provider.getTransactionCount(chain.treasury.address, 'latest');
  const paymentsOfRef = (ref: string) =>
    chain.provider.getLogs({ address: chain.deployment.router, topics: [routerEventTopics.paymentMade, ref], fromBlock: 0 });

  beforeAll(async () => {
    chain = await startTestChain();
    payment = await createPaymentUnderTest({ deployment: chain.deployment, payeeKeys: true });
  }, 60_000);
  afterAll(async () => {
    await payment?.close();
    await chain?.stop();
  });

  it('settles a payment through the router, moving exactly the amount from the treasury to the payee', async () => {
    const [treasuryBefore, payeeBefore] = await Promise.all([balanceOf(chain.treasury.address), balanceOf(payee())]);

    const response = await pay(payBody({ amount: '0.05' }));

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      status: 'SUCCESS',
      mode: 'chain',
      amount: '0.05',
      agentId: 'user-agent',
      serviceId: 'IMAGE_GEN',
      payee: payee(),
      failure: null,
      replayed: false,
    });
    expect(response.body.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(response.body.blockNumber).toBeGreaterThan(chain.deployment.blockNumber);
    expect(BigInt(response.body.gasUsed)).toBeGreaterThan(21_000n);
    expect(await balanceOf(chain.treasury.address)).toBe(treasuryBefore - mnee('0.05'));
    expect(await balanceOf(payee())).toBe(payeeBefore + mnee('0.05'));
    const [event] = await paymentsOfRef(response.body.paymentRef);
    expect(event?.transactionHash).toBe(response.body.txHash);
    expect((await request(payment.app).get(`/payments/${response.body.id}`).set(auth)).body).toEqual({
      ...response.body,
      replayed: undefined,
    });
  });

  it('sends no transaction for a forged, expired, replayed, re-priced or re-routed grant: 403 GRANT_INVALID, or 409 for the replay', async () => {
    const live = await payment.grants.issue({ serviceId: 'IMAGE_GEN', amount: '0.50' });
    const paid = await request(payment.app).post('/payments').set(auth).send({ grant: live, idempotencyKey: 'grant-first' });
    expect(paid.body).toMatchObject({ status: 'SUCCESS' });
    const [nonce, balance] = await Promise.all([treasuryNonce(), balanceOf(chain.treasury.address)]);
    const resigned = (grant: string, changes: Record<string, unknown>) => {
      const [header, claims, signature] = grant.split('.');
      const changed = { ...JSON.parse(Buffer.from(claims ?? '', 'base64url').toString('utf8')), ...changes };
      return [header, Buffer.from(JSON.stringify(changed)).toString('base64url'), signature].join('.');
    };
    const refused = [
      await payment.grants.issue({ serviceId: 'IMAGE_GEN', amount: '0.50' }, generateKeyPairSync('ed25519').privateKey),
      await payment.grants.issue({ serviceId: 'IMAGE_GEN', amount: '0.50', expiresAt: new Date(Date.now() - 1_000) }),
      live,
      resigned(await payment.grants.issue({ serviceId: 'IMAGE_GEN', amount: '0.50' }), { amount: '50.00' }),
      resigned(await payment.grants.issue({ serviceId: 'PRICE_ORACLE', amount: '0.05' }), { serviceId: 'LOG_ARCHIVE' }),
    ];

    const responses = await Promise.all(
      refused.map((grant, index) =>
        request(payment.app)
          .post('/payments')
          .set(auth)
          .send({ grant, idempotencyKey: `grant-refused-${index}` }),
      ),
    );

    expect(responses.map((response) => [response.status, response.body.error?.code])).toEqual(
      refused.map((grant) => (grant === live ? [409, 'RESERVATION_ALREADY_PAID'] : [403, 'GRANT_INVALID'])),
    );
    expect(await treasuryNonce()).toBe(nonce);
    expect(await balanceOf(chain.treasury.address)).toBe(balance);
  });

  it('answers a retried pay with the first payment and sends nothing', async () => {
    const body = payBody();
    const first = await pay(body);
    const nonce = await treasuryNonce();
    const balance = await balanceOf(chain.treasury.address);

    const retry = await pay(body);

    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ ...first.body, replayed: true });
    expect(await treasuryNonce()).toBe(nonce);
    expect(await balanceOf(chain.treasury.address)).toBe(balance);
  });

  it('sends one transaction for 50 concurrent pays with the same key', async () => {
    const body = payBody({ amount: '0.30', serviceId: 'LOG_ARCHIVE' });
    const nonce = await treasuryNonce();
    const balance = await balanceOf(chain.treasury.address);

    const responses = await Promise.all(Array.from({ length: 50 }, () => pay(body)));

    expect(responses.map((r) => r.status).sort()).toEqual([...Array<number>(49).fill(200), 201]);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(new Set(responses.map((r) => r.body.status))).toEqual(new Set(['SUCCESS']));
    expect(await treasuryNonce()).toBe(nonce + 1);
    expect(await balanceOf(chain.treasury.address)).toBe(balance - mnee('0.30'));
    expect(await paymentsOfRef(responses[0]!.body.paymentRef)).toHaveLength(1);
  });

  it('settles many different payments at once in batches, without a nonce clash, each exactly once', async () => {
    const balance = await balanceOf(chain.treasury.address);
    const responses = await Promise.all(Array.from({ length: 20 }, () => pay(payBody({ amount: '0.01' }))));
    expect(responses.map((r) => r.body.status)).toEqual(Array<string>(20).fill('SUCCESS'));
    // PAYMENT_SETTLEMENT=batch (the default): the payments of one window share a transaction
    expect(new Set(responses.map((r) => r.body.txHash)).size).toBeLessThan(20);
    expect(await balanceOf(chain.treasury.address)).toBe(balance - mnee('0.20'));
    for (const response of responses) {
      const events = await paymentsOfRef(response.body.paymentRef);
      expect(events.map((event) => event.transactionHash)).toEqual([response.body.txHash]);
    }
  });

  it('refuses a known key with a different request', async () => {
    const body = payBody();
    await pay(body);
    const response = await pay({ ...body, amount: '0.51' });
    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', details: [{ path: 'body.grant.amount' }] });
  });

  it('records a FAILED payment with the decoded reason when the router refuses it, and moves nothing', async () => {
    const balance = await balanceOf(chain.treasury.address);
    const response = await pay(payBody({ amount: '5000.00' }));
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      status: 'FAILED',
      txHash: null,
      failure: { code: 'PAYMENT_REVERTED', message: expect.stringContaining('ERC20InsufficientBalance') },
    });
    expect(await balanceOf(chain.treasury.address)).toBe(balance);
  });

  it('never pays a reference twice: a payment that already landed on chain is found, not resent', async () => {
    // A crash after broadcast: the ledger row is PENDING with no hash, but the chain has the payment.
    const id = `pay_${'c'.repeat(32)}`;
    const ref = paymentRefOf(id);
    await payment.store.open(
      {
        id,
        idempotencyKey: 'crashed-after-broadcast',
        agentId: 'user-agent',
        serviceId: 'IMAGE_GEN',
        payee: payee(),
        amount: 500_000n,
        decisionId: 'dec_crash',
        reservationId: 'res_crash',
        mode: 'chain',
        paymentRef: ref,
      },
      new Date(),
    );
    await payment.store.lease(id, 'crashed-process', new Date(Date.now() - 60_000), new Date(Date.now() - 30_000));
    await (
      await MNEEPaymentRouter__factory.connect(chain.deployment.router, chain.treasury).pay(
        payee(),
        mnee('0.50'),
        serviceIdToBytes32('IMAGE_GEN'),
        ref,
      )
    ).wait();
    const balance = await balanceOf(chain.treasury.address);

    const response = await pay({
      agentId: 'user-agent',
      serviceId: 'IMAGE_GEN',
      amount: '0.50',
      idempotencyKey: 'crashed-after-broadcast',
      decisionId: 'dec_crash',
      reservationId: 'res_crash',
    });

    expect(response.body).toMatchObject({ id, status: 'SUCCESS', paymentRef: ref });
    expect(await balanceOf(chain.treasury.address)).toBe(balance);
    expect(await paymentsOfRef(ref)).toHaveLength(1);
  });

  it('refunds a payment through the router with the payee key it holds, once', async () => {
    const paid = (await pay(payBody({ amount: '0.50' }))).body;
    const before = await balanceOf(chain.treasury.address);

    const refund = await request(payment.app).post(`/payments/${paid.id}/refund`).set(auth).send({ reason: 'provider failed' });
    const again = await request(payment.app).post(`/payments/${paid.id}/refund`).set(auth).send({ reason: 'provider failed' });

    expect(refund.status).toBe(200);
    expect(refund.body).toMatchObject({
      id: paid.id,
      status: 'REFUNDED',
      refund: { reason: 'provider failed', txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) },
    });
    expect(again.body).toMatchObject({ status: 'REFUNDED', replayed: true, refund: { txHash: refund.body.refund.txHash } });
    expect(await balanceOf(chain.treasury.address)).toBe(before + mnee('0.50'));
    expect(
      (await MNEEPaymentRouter__factory.connect(chain.deployment.router, chain.provider).paymentOf(chain.treasury.address, paid.paymentRef))
        .refunded,
    ).toBe(true);
    const verify = await request(payment.app)
      .post('/payments/verify')
      .set(providerAuth('IMAGE_GEN'))
      .send({ paymentId: paid.id, payee: payee(), serviceId: 'IMAGE_GEN', amount: '0.50' });
    expect(verify.body).toMatchObject({ valid: false, reason: 'REFUNDED' });
  });

  it('refuses to refund a failed payment', async () => {
    const failed = (await pay(payBody({ amount: '9999.00' }))).body;
    const response = await request(payment.app).post(`/payments/${failed.id}/refund`).set(auth).send({ reason: 'x' });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('PAYMENT_NOT_REFUNDABLE');
  });

  it('verifies a payment by id and by tx hash against the chain, and names what does not fit', async () => {
    const paid = (await pay(payBody({ amount: '0.05', serviceId: 'PRICE_ORACLE' }))).body;
    const verify = (body: Record<string, unknown>) =>
      request(payment.app)
        .post('/payments/verify')
        .set(providerAuth(body['serviceId'] ?? 'PRICE_ORACLE'))
        .send({ payee: chain.payees[1]!.address, serviceId: 'PRICE_ORACLE', amount: '0.05', ...body });

    expect((await verify({ paymentId: paid.id })).body).toMatchObject({ valid: true, reason: 'VALID', payment: { id: paid.id } });
    expect((await verify({ txHash: paid.txHash })).body).toMatchObject({ valid: true, reason: 'VALID', payment: { id: paid.id } });
    expect((await verify({ paymentId: paid.id, amount: '0.06' })).body).toMatchObject({ valid: false, reason: 'AMOUNT_TOO_LOW' });
    expect((await verify({ txHash: paid.txHash, payee: payee() })).body).toMatchObject({
      valid: false,
      reason: 'WRONG_PAYEE',
    });
    expect((await verify({ txHash: paid.txHash, serviceId: 'IMAGE_GEN' })).body).toMatchObject({ valid: false, reason: 'WRONG_SERVICE' });
    expect((await verify({ paymentId: `pay_${'0'.repeat(32)}` })).body).toMatchObject({
      valid: false,
      reason: 'UNKNOWN_PAYMENT',
      payment: null,
    });
    expect((await verify({ txHash: `0x${'12'.repeat(32)}` })).body).toMatchObject({ valid: false, reason: 'TX_NOT_FOUND' });
  });

  it('verifies by tx hash each payment of a batch for its own payee and service', async () => {
    const [image, price] = await Promise.all([
      pay(payBody({ amount: '0.50', serviceId: 'IMAGE_GEN' })),
      pay(payBody({ amount: '0.05', serviceId: 'PRICE_ORACLE' })),
    ]);
    expect(image.body.txHash).toBe(price.body.txHash);
    const verify = (serviceId: string, payee: string, amount: string) =>
      request(payment.app)
        .post('/payments/verify')
        .set(providerAuth(serviceId))
        .send({ txHash: image.body.txHash, payee, serviceId, amount });

    expect((await verify('IMAGE_GEN', chain.payees[0]!.address, '0.50')).body).toMatchObject({
      valid: true,
      payment: { id: image.body.id },
    });
    expect((await verify('PRICE_ORACLE', chain.payees[1]!.address, '0.05')).body).toMatchObject({
      valid: true,
      payment: { id: price.body.id },
    });
  });

  it('shows the treasury: address, token, on-chain balance, allowance and the ledger', async () => {
    const response = await request(payment.app).get('/treasury').set(auth);
    const onChain = await balanceOf(chain.treasury.address);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      mode: 'chain',
      address: chain.treasury.address,
      chainId: 31337,
      router: chain.deployment.router,
      token: { address: chain.deployment.token.address, symbol: 'MNEE', decimals: 18 },
      allowance: 'unlimited',
    });
    expect(mnee(response.body.balance)).toBe(onChain);
    expect(response.body.ledger.SUCCESS.count).toBeGreaterThan(0);
  });
});

describe('payment service in chain mode with PAYMENT_SETTLEMENT=single', () => {
  let chain: TestChain;
  let payment: PaymentUnderTest;
  beforeAll(async () => {
    chain = await startTestChain();
    payment = await createPaymentUnderTest({ deployment: chain.deployment, settlement: 'single' });
  }, 60_000);
  afterAll(async () => {
    await payment?.close();
    await chain?.stop();
  });

  it('settles many different payments at once, each in its own transaction, without a nonce clash', async () => {
    const balanceOf = (address: string) => MNEEToken__factory.connect(chain.deployment.token.address, chain.provider).balanceOf(address);
    const balance = await balanceOf(chain.treasury.address);
    const responses = await Promise.all(
      Array.from({ length: 20 }, async (_, index) =>
        request(payment.app)
          .post('/payments')
          .set(auth)
          .send({
            grant: await payment.grants.issue({ serviceId: 'IMAGE_GEN', amount: '0.01' }),
            idempotencyKey: `single-${index}`,
          }),
      ),
    );
    expect(responses.map((r) => r.body.status)).toEqual(Array<string>(20).fill('SUCCESS'));
    expect(new Set(responses.map((r) => r.body.txHash)).size).toBe(20);
    expect(await balanceOf(chain.treasury.address)).toBe(balance - mnee('0.20'));
  });
});

describe('refunds when the service holds no key of the payee', () => {
  let chain: TestChain;
  let payment: PaymentUnderTest;
  beforeAll(async () => {
    chain = await startTestChain();
    payment = await createPaymentUnderTest({ deployment: chain.deployment, payeeKeys: false });
  }, 60_000);
  afterAll(async () => {
    await payment?.close();
    await chain?.stop();
  });

  it('asks for the payee’s own refund transaction, and records it once the chain shows it', async () => {
    const payee = chain.payees[3]!;
    const paid = (
      await request(payment.app)
        .post('/payments')
        .set(auth)
        .send({
          grant: await payment.grants.issue({ agentId: 'ops-agent', serviceId: 'LOG_ARCHIVE', amount: '0.30' }),
          idempotencyKey: 'k1',
        })
    ).body;

    const unsigned = await request(payment.app).post(`/payments/${paid.id}/refund`).set(auth).send({ reason: 'handler failed' });
    expect(unsigned.status).toBe(422);
    expect(unsigned.body.error.code).toBe('REFUND_NOT_SIGNABLE');

    const unrelated = await request(payment.app)
      .post(`/payments/${paid.id}/refund`)
      .set(auth)
      .send({ reason: 'handler failed', txHash: paid.txHash });
    expect(unrelated.status).toBe(422);
    expect(unrelated.body.error.code).toBe('REFUND_NOT_VERIFIED');

    const refundTx = await (
      await MNEEPaymentRouter__factory.connect(chain.deployment.router, payee).refund(chain.treasury.address, paid.paymentRef)
    ).wait();
    const recorded = await request(payment.app)
      .post(`/payments/${paid.id}/refund`)
      .set(auth)
      .send({ reason: 'handler failed', txHash: refundTx?.hash });
    expect(recorded.status).toBe(200);
    expect(recorded.body).toMatchObject({ status: 'REFUNDED', refund: { txHash: refundTx?.hash, reason: 'handler failed' } });
  });
});
