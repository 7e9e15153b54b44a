import request from 'supertest';
import { MaxUint256, Wallet, parseUnits, type HDNodeWallet } from 'ethers';
import type { ExactPermit2Payload } from '@x402/evm';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { MNEEToken__factory, PERMIT2_ADDRESS, Permit2__factory, permit2NonceBit, permit2NonceHex, x402PayerSigner } from '@nexus/chain';
import { startTestChain, type TestChain } from '@nexus/chain/testing';
import { authAs } from '@nexus/service-kit/testing';
import { LogEvent } from '@nexus/types';
import { createPaymentUnderTest, type PaymentUnderTest } from '../testing/payment-harness';

const mnee = (amount: string) => parseUnits(amount, 18);
/** PRICE_ORACLE's payee in config/services.yaml */
const ORACLE_PAYEE = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const oracle = authAs('price-oracle');

/** What the payer's client is told (and signs), when it differs from what the provider requires. */
interface Signed {
  payTo?: string;
  amount?: bigint;
  maxTimeoutSeconds?: number;
  payer?: HDNodeWallet;
}

describe('the x402 facilitator of the payment service settles the Permit2 path of `exact`, on a real Hardhat node', () => {
  let chain: TestChain;
  let payment: PaymentUnderTest;
  let payer: HDNodeWallet;
  const events: LogEvent[] = [];
  const token = () => MNEEToken__factory.connect(chain.deployment.token.address, chain.provider);
  const balanceOf = (address: string) => token().balanceOf(address);

  const requirements = (amount = mnee('0.01')) => ({
    scheme: 'exact',
    network: 'eip155:31337' as const,
    asset: chain.deployment.token.address,
    amount: amount.toString(),
    payTo: ORACLE_PAYEE,
    maxTimeoutSeconds: 60,
    extra: { assetTransferMethod: 'permit2' },
  });

  /** An x402 v2 body: the official client's Permit2 payload for `required`, or for what `signed` says instead. */
  const body = async (required = requirements(), signed: Signed = {}) => {
    const told = {
      ...required,
      payTo: signed.payTo ?? required.payTo,
      amount: (signed.amount ?? BigInt(required.amount)).toString(),
      maxTimeoutSeconds: signed.maxTimeoutSeconds ?? required.maxTimeoutSeconds,
    };
    const { payload } = await new ExactEvmScheme(x402PayerSigner(signed.payer ?? payer)).createPaymentPayload(2, told);
    return {
      x402Version: 2,
      paymentPayload: {
        x402Version: 2,
        resource: { url: 'http://localhost:8002/invoke', description: 'a price', mimeType: 'application/json' },
        accepted: required,
        payload: payload as unknown as ExactPermit2Payload,
      },
      paymentRequirements: required,
    };
  };
  const verify = async (payload: object) => request(payment.app).post('/x402/verify').set(oracle).send(payload);
  const settle = async (payload: object) => request(payment.app).post('/x402/settle').set(oracle).send(payload);

  beforeAll(async () => {
    chain = await startTestChain();
    payment = await createPaymentUnderTest({
      deployment: chain.deployment,
      audit: {
        record: async (batch) => {
          events.push(...(Array.isArray(batch) ? batch : [batch]));
          return { added: 1 };
        },
      },
    });
    payer = chain.stranger;
    await (await token().connect(chain.treasury).transfer(payer.address, mnee('5'))).wait();
    // the payer's one-time approval of Permit2 (a plain ERC-20 approve)
    await (await token().connect(payer).approve(PERMIT2_ADDRESS, MaxUint256)).wait();
  }, 60_000);
  afterAll(async () => {
    await payment?.close();
    await chain?.stop();
  });

  it("verifies the official client's Permit2 payload", async () => {
    const response = await verify(await body());
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ isValid: true, payer: payer.address });
  });

  it.each([
    [
      'a wrong payee (the witness pays someone else)',
      async () => body(requirements(), { payTo: Wallet.createRandom().address }),
      'invalid_permit2_recipient_mismatch',
    ],
    ['a wrong amount', async () => body(requirements(), { amount: mnee('0.001') }), 'permit2_amount_mismatch'],
    ['an expired permit', async () => body(requirements(), { maxTimeoutSeconds: 0 }), 'permit2_deadline_expired'],
    [
      'a Permit2 payload against an ERC-3009 offer',
      async () => {
        const offer = { ...requirements(), extra: {} };
        const signed = await body(requirements());
        return { ...signed, paymentPayload: { ...signed.paymentPayload, accepted: offer }, paymentRequirements: offer };
      },
      'unsupported_payload_type',
    ],
  ])('refuses %s', async (_what, make, reason) => {
    const payload = await make();
    const before = await balanceOf(payer.address);
    expect((await verify(payload)).body).toMatchObject({ isValid: false, invalidReason: reason });
    expect((await settle(payload)).body).toMatchObject({ success: false, errorReason: reason });
    expect(await balanceOf(payer.address)).toBe(before);
  });

  it('refuses a payer who never approved Permit2, before the library simulates', async () => {
    const unapproved = chain.payees[3]!;
    await (await token().connect(chain.treasury).transfer(unapproved.address, mnee('1'))).wait();
    expect((await verify(await body(requirements(), { payer: unapproved }))).body).toMatchObject({
      isValid: false,
      invalidReason: 'permit2_allowance_required',
    });
  });

  it('settles exactly the amount once: one ledger row with the payer and the Permit2 nonce, one event; a replay pays nothing more', async () => {
    const payload = await body(requirements(mnee('0.25')));
    const { nonce } = payload.paymentPayload.payload.permit2Authorization;
    const [payerBefore, payeeBefore] = await Promise.all([balanceOf(payer.address), balanceOf(ORACLE_PAYEE)]);
    const eventsBefore = events.length;

    const first = await settle(payload);

    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ success: true, network: 'eip155:31337', payer: payer.address });
    expect(first.body.transaction).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await balanceOf(payer.address)).toBe(payerBefore - mnee('0.25'));
    expect(await balanceOf(ORACLE_PAYEE)).toBe(payeeBefore + mnee('0.25'));
    const rows = (await payment.store.list({ limit: 50 })).items.filter((row) => row.txHash === first.body.transaction);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 'SUCCESS',
      method: 'x402',
      serviceId: 'PRICE_ORACLE',
      payee: ORACLE_PAYEE,
      payer: payer.address,
      authorizationNonce: permit2NonceHex(nonce),
      amount: 250_000n,
    });
    expect(events.slice(eventsBefore)).toEqual([
      expect.objectContaining({ kind: 'transaction', status: 'SUCCESS', paymentId: rows[0]!.id, txHash: first.body.transaction }),
    ]);

    const again = await settle(payload);

    expect(again.body).toMatchObject({ success: true, transaction: first.body.transaction });
    expect(await balanceOf(payer.address)).toBe(payerBefore - mnee('0.25'));
    expect((await payment.store.list({ limit: 50 })).items.filter((row) => row.payer === payer.address)).toHaveLength(1);
    expect(events.length).toBe(eventsBefore + 1);
    expect((await verify(payload)).body).toMatchObject({ isValid: false, invalidReason: 'permit2_invalid_nonce' });
  });

  it('refuses a permit whose nonce the payer invalidated on Permit2, at verify and at settle, and pays nothing', async () => {
    const payload = await body(requirements(mnee('0.02')));
    const { word, bit } = permit2NonceBit(BigInt(payload.paymentPayload.payload.permit2Authorization.nonce));
    await (await Permit2__factory.connect(PERMIT2_ADDRESS, payer).invalidateUnorderedNonces(word, bit)).wait();
    const payerBefore = await balanceOf(payer.address);

    expect((await verify(payload)).body).toMatchObject({ isValid: false, invalidReason: 'permit2_invalid_nonce' });
    expect((await settle(payload)).body).toMatchObject({ success: false, errorReason: 'permit2_invalid_nonce' });
    expect(await balanceOf(payer.address)).toBe(payerBefore);
  });
});
