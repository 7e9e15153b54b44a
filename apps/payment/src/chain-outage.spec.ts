import request from 'supertest';
import { parseUnits } from 'ethers';
import { MNEEToken__factory, routerEventTopics } from '@nexus/chain';
import { startTestChain, type TestChain } from '@nexus/chain/testing';
import { auth, createPaymentUnderTest, type PaymentUnderTest } from './testing/payment-harness';
import { startRpcProxy, type RpcProxy } from './testing/rpc-proxy';

describe('payment service when the chain goes away', () => {
  let chain: TestChain;
  let proxy: RpcProxy;
  let payment: PaymentUnderTest;
  // One grant per key, signed once: a retry with the key sends the same grant, as the gateway does.
  const grants = new Map<string, Promise<string>>();
  const grantOf = (key: string) => {
    const grant = grants.get(key) ?? payment.grants.issue({ serviceId: 'IMAGE_GEN', amount: '0.50', decisionId: `dec_${key}` });
    grants.set(key, grant);
    return grant;
  };
  const pay = async (key: string) =>
    request(payment.app)
      .post('/payments')
      .set(auth)
      .send({ grant: await grantOf(key), idempotencyKey: key });
  const treasuryBalance = () =>
    MNEEToken__factory.connect(chain.deployment.token.address, chain.provider).balanceOf(chain.treasury.address);

  beforeAll(async () => {
    chain = await startTestChain();
    proxy = await startRpcProxy(chain.node.url);
    payment = await createPaymentUnderTest({ deployment: chain.deployment, rpcUrl: proxy.url, receiptTimeoutMs: 1_000 });
  }, 60_000);
  afterAll(async () => {
    await payment?.close();
    await proxy?.down();
    await chain?.stop();
  });
  afterEach(() => proxy.up().catch(() => undefined));

  it('answers 503 CHAIN_UNAVAILABLE and records FAILED when the RPC refuses connections: nothing was sent', async () => {
    await proxy.down();
    const response = await pay('refused');

    expect(response.status).toBe(503);
    expect(response.body.error).toMatchObject({
      code: 'CHAIN_UNAVAILABLE',
      details: [{ path: 'payment.id' }, { path: 'payment.status', message: 'FAILED' }],
    });
    const id = response.body.error.details[0].message as string;
    expect((await payment.store.get(id))?.status).toBe('FAILED');
    expect((await request(payment.app).get('/health')).status).toBe(503);

    await proxy.up();
    const balance = await treasuryBalance();
    const retry = await pay('refused');
    expect(retry.body).toMatchObject({ id, status: 'FAILED', replayed: true, failure: { code: 'CHAIN_UNAVAILABLE' } });
    expect(await treasuryBalance()).toBe(balance);
    expect((await request(payment.app).get('/health')).status).toBe(200);
  });

  it('keeps a payment PENDING (never SUCCESS without a receipt) when the chain drops after the broadcast, and settles it once on retry', async () => {
    const balance = await treasuryBalance();
    proxy.dropNextSend();

    const cut = await pay('dropped');

    expect(cut.status).toBe(503);
    expect(cut.body.error).toMatchObject({
      code: 'CHAIN_UNAVAILABLE',
      details: [{ path: 'payment.id' }, { path: 'payment.status', message: 'PENDING' }],
    });
    const id = cut.body.error.details[0].message as string;
    const pending = await payment.store.get(id);
    expect(pending).toMatchObject({ status: 'PENDING', txHash: expect.stringMatching(/^0x/) });
    // The transaction did land: the money moved, but the ledger does not claim it without a receipt.
    expect(await treasuryBalance()).toBe(balance - parseUnits('0.50', 18));

    await proxy.up();
    const retry = await pay('dropped');

    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ id, status: 'SUCCESS', txHash: pending?.txHash, replayed: true });
    expect(await treasuryBalance()).toBe(balance - parseUnits('0.50', 18));
    const events = await chain.provider.getLogs({
      address: chain.deployment.router,
      topics: [routerEventTopics.paymentMade, retry.body.paymentRef],
      fromBlock: 0,
    });
    expect(events).toHaveLength(1);
  });

  it('fails cleanly when the node itself stops mid-run', async () => {
    const ok = await pay('before-stop');
    expect(ok.body.status).toBe('SUCCESS');
    await chain.node.stop();

    const response = await pay('after-stop');

    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe('CHAIN_UNAVAILABLE');
    const id = response.body.error.details[0].message as string;
    expect((await payment.store.get(id))?.status).not.toBe('SUCCESS');
    const treasury = await request(payment.app).get('/treasury').set(auth);
    expect(treasury.status).toBe(503);
    expect(treasury.body.error.code).toBe('CHAIN_UNAVAILABLE');
  });
});
