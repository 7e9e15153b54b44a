import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { Transaction, parseUnits } from 'ethers';
import { decodePaymentRequiredHeader } from '@x402/core/http';
import { MNEEPaymentRouter__factory, MNEEToken__factory, paymentRefOf, serviceIdToBytes32 } from '@nexus/chain';
import { fundFrontRunner, payUnderRef } from '@nexus/chain/testing';
import { PaymentRequiredBody, ProviderFailureBody } from '@nexus/types';
import { buildEchoProvider } from './testing/echo-provider';
import { createProviderUnderTest, proofHeaders } from './testing/provider-under-test';
import { useProviderUnderTest } from './testing/provider-suite';
import { startTestPaymentNetwork } from './testing/test-payment-network';

const LOG_ARCHIVE_PAYEE = '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65';

describe('a paid route in chain mode (the provider reads the chain itself)', () => {
  // The payment service pays the payee its own services.yaml names: here IMAGE_GEN's is LOG_ARCHIVE's, so a
  // payment for IMAGE_GEN reaches this provider's payee (for the wrong service).
  const provider = useProviderUnderTest(buildEchoProvider, {
    serviceId: 'LOG_ARCHIVE',
    mode: 'chain',
    networkOptions: { paymentEnv: { NEXUS_SERVICE_IMAGE_GEN_PAYEE: LOG_ARCHIVE_PAYEE } },
  });
  const chain = () => provider.network.chain!;
  const token = () => MNEEToken__factory.connect(chain().deployment.token.address, chain().provider);
  const refusal = async (headers: Record<string, string>, body: object = { input: { text: 'x' } }) => {
    const response = await provider.invoke(body, headers).expect(402);
    return PaymentRequiredBody.parse(response.body);
  };

  it('tells in its 402 which chain, router and token to pay with', async () => {
    const body = PaymentRequiredBody.parse((await provider.invoke({ input: { text: 'x' } }, {}).expect(402)).body);
    expect(body.quote.payment).toMatchObject({
      mode: 'chain',
      chainId: 31337,
      router: chain().deployment.router,
      token: { address: chain().deployment.token.address, symbol: 'MNEE', decimals: 18 },
      confirmations: 1,
    });
  });

  it('offers x402 v2 in its 402 too: exact on eip155:31337, the token, the payee, the price, the token EIP-712 domain; then the same through Permit2', async () => {
    const response = await provider.invoke({ variant: 'summary', input: { text: 'x' } }, {}).expect(402);
    const domain = await token().eip712Domain();
    expect(decodePaymentRequiredHeader(response.get('PAYMENT-REQUIRED') ?? '')).toMatchObject({
      x402Version: 2,
      accepts: [
        {
          scheme: 'exact',
          network: 'eip155:31337',
          asset: chain().deployment.token.address,
          payTo: provider.quote.payee,
          amount: parseUnits('0.05', 18).toString(),
          maxTimeoutSeconds: 300,
          extra: { name: domain.name, version: domain.version },
        },
        {
          scheme: 'exact',
          network: 'eip155:31337',
          asset: chain().deployment.token.address,
          payTo: provider.quote.payee,
          amount: parseUnits('0.05', 18).toString(),
          maxTimeoutSeconds: 300,
          extra: { assetTransferMethod: 'permit2' },
        },
      ],
    });
  });

  it('serves a call paid on chain and keeps the transaction with the redemption', async () => {
    const { payment, headers } = await provider.pay();
    const response = await provider.invoke({ input: { text: 'on chain' } }, headers).expect(200);
    expect(response.body.payment).toMatchObject({ paymentId: payment.id, txHash: payment.txHash, amount: '0.30' });
    expect(await provider.redemptions.get(payment.id)).toMatchObject({ status: 'SERVED', paymentRef: paymentRefOf(payment.id) });
    await provider.invoke({ input: { text: 'again' } }, headers).expect(409);
  });

  it('needs the transaction hash of the payment', async () => {
    const { payment } = await provider.pay();
    expect((await refusal({ 'x-payment-id': payment.id })).reason).toBe('TX_NOT_FOUND');
  });

  it('refuses a transaction the chain does not have', async () => {
    const { payment } = await provider.pay();
    const forged = { 'x-payment-id': payment.id, 'x-payment-tx': `0x${randomBytes(32).toString('hex')}` };
    expect((await refusal(forged)).reason).toBe('TX_NOT_FOUND');
  });

  it('refuses a payment to another payee, for another service, or too small', async () => {
    const toOther = await provider.pay({ serviceId: 'PRICE_ORACLE' });
    const forOther = await provider.pay({ serviceId: 'IMAGE_GEN' });
    const tooSmall = await provider.pay({ variant: 'summary' });
    expect((await refusal(toOther.headers)).reason).toBe('WRONG_PAYEE');
    expect((await refusal(forOther.headers)).reason).toBe('WRONG_SERVICE');
    expect((await refusal(tooSmall.headers, { variant: 'full', input: { text: 'x' } })).reason).toBe('AMOUNT_TOO_LOW');
  });

  it("refuses one payment's id with another payment's transaction", async () => {
    const first = await provider.pay();
    const second = await provider.pay();
    expect((await refusal(proofHeaders({ id: first.payment.id, txHash: second.payment.txHash }))).reason).toBe('WRONG_REFERENCE');
  });

  it('refuses a payment another account made under the reference, though payee, service and amount fit', async () => {
    // Anybody can pay through the router under any reference: only the treasury's payment buys a call.
    const frontRunner = await fundFrontRunner(chain());
    const paymentId = `pay_${randomBytes(16).toString('hex')}`;
    const txHash = await payUnderRef(chain(), frontRunner, {
      payee: provider.quote.payee,
      serviceId: 'LOG_ARCHIVE',
      paymentRef: paymentRefOf(paymentId),
      amount: parseUnits('0.30', 18),
    });

    const body = await refusal(proofHeaders({ id: paymentId, txHash }));

    expect(body.reason).toBe('WRONG_PAYER');
    expect(await provider.redemptions.get(paymentId)).toBeUndefined();
  });

  it('refuses a reverted transaction', async () => {
    // A stranger with no MNEE and no approval calls the router; a fixed gas limit gets it mined, reverted
    // (the node answers the broadcast with the revert, so the hash is taken from the signed transaction).
    const paymentId = `pay_${randomBytes(16).toString('hex')}`;
    const stranger = chain().stranger;
    const data = MNEEPaymentRouter__factory.createInterface().encodeFunctionData('pay', [
      provider.quote.payee,
      parseUnits('0.30', 18),
      serviceIdToBytes32('LOG_ARCHIVE'),
      paymentRefOf(paymentId),
    ]);
    const signed = await stranger.signTransaction(
      await stranger.populateTransaction({ to: chain().deployment.router, data, gasLimit: 200_000 }),
    );
    const tx = Transaction.from(signed);
    await chain()
      .provider.broadcastTransaction(signed)
      .catch(() => undefined);
    const receipt = await chain().provider.getTransactionReceipt(tx.hash!);
    expect(receipt?.status).toBe(0);
    expect((await refusal(proofHeaders({ id: paymentId, txHash: tx.hash! }))).reason).toBe('TX_REVERTED');
  });

  it('refunds on chain through the router when the handler fails: the treasury gets the money back', async () => {
    const treasury = chain().deployment.treasury;
    const before = await token().balanceOf(treasury);
    const payeeBefore = await token().balanceOf(provider.quote.payee);
    const { payment, headers } = await provider.pay();
    expect(await token().balanceOf(treasury)).toBe(before - parseUnits('0.30', 18));

    const response = await provider.invoke({ input: { text: 'x', outcome: 'throw' } }, headers).expect(500);
    const body = ProviderFailureBody.parse(response.body);

    expect(body.refund).toMatchObject({ status: 'REFUNDED', paymentId: payment.id });
    expect(body.refund.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await token().balanceOf(treasury)).toBe(before);
    expect(await token().balanceOf(provider.quote.payee)).toBe(payeeBefore);
    const onChain = await MNEEPaymentRouter__factory.connect(chain().deployment.router, chain().provider).paymentOf(
      treasury,
      paymentRefOf(payment.id),
    );
    expect(onChain.refunded).toBe(true);
    expect(await provider.network.payments.get(payment.id)).toMatchObject({ status: 'REFUNDED', refund: { txHash: body.refund.txHash } });
    expect(await provider.redemptions.get(payment.id)).toMatchObject({ status: 'REFUNDED', ledgerSynced: true });
  });
});

describe('refunds in chain mode when the provider cannot finish the job alone', () => {
  it('asks the payment service to sign the refund when the provider holds no payee key', async () => {
    const network = await startTestPaymentNetwork('chain', { paymentHoldsPayeeKeys: true });
    const provider = await createProviderUnderTest(buildEchoProvider, {
      serviceId: 'LOG_ARCHIVE',
      network,
      env: { PAYEE_PRIVATE_KEYS: '' },
    });
    try {
      const { payment, headers } = await provider.pay();
      const response = await request(provider.app)
        .post('/invoke')
        .set(headers)
        .send({ input: { text: 'x', outcome: 'throw' } })
        .expect(500);
      expect(response.body.refund).toMatchObject({ status: 'REFUNDED', paymentId: payment.id });
      const router = MNEEPaymentRouter__factory.connect(network.chain!.deployment.router, network.chain!.provider);
      expect((await router.paymentOf(network.chain!.deployment.treasury, paymentRefOf(payment.id))).refunded).toBe(true);
    } finally {
      await provider.close();
      await network.stop();
    }
  });

  it('refunds on chain while the payments ledger is down, and tells the ledger once it is back', async () => {
    const network = await startTestPaymentNetwork('chain');
    const provider = await createProviderUnderTest(buildEchoProvider, { serviceId: 'LOG_ARCHIVE', network });
    try {
      const { payment, headers } = await provider.pay({ variant: 'summary' });
      // Proven before the ledger goes down: the chain is the judge, so verification goes on without it.
      await network.payment.stop();
      const response = await request(provider.app)
        .post('/invoke')
        .set(headers)
        .send({ variant: 'summary', input: { text: 'x', outcome: 'throw' } })
        .expect(500);
      expect(response.body.refund).toMatchObject({ status: 'REFUNDED' });
      expect(await provider.redemptions.get(payment.id)).toMatchObject({ status: 'REFUNDED', ledgerSynced: false });

      await network.restartPayment();
      expect(await provider.syncRefunds()).toBe(1);
      expect(await network.payments.get(payment.id)).toMatchObject({ status: 'REFUNDED', refund: { txHash: response.body.refund.txHash } });
      expect(await provider.redemptions.get(payment.id)).toMatchObject({ ledgerSynced: true });
    } finally {
      await provider.close();
      await network.stop();
    }
  });
});
