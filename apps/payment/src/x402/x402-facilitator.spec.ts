import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { Wallet, getAddress, parseUnits, type HDNodeWallet } from 'ethers';
import { MNEEToken__factory, TRANSFER_WITH_AUTHORIZATION_TYPES } from '@nexus/chain';
import { startTestChain, type TestChain } from '@nexus/chain/testing';
import { authAs } from '@nexus/service-kit/testing';
import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores/testing';
import { LogEvent } from '@nexus/types';
import { createPaymentUnderTest, type PaymentUnderTest } from '../testing/payment-harness';

const mnee = (amount: string) => parseUnits(amount, 18);
/** PRICE_ORACLE's payee in config/services.yaml */
const ORACLE_PAYEE = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const oracle = authAs('price-oracle');

interface Terms {
  to?: string;
  value?: bigint;
  validBefore?: number;
  nonce?: string;
  signer?: HDNodeWallet | Wallet;
}

describe.each(['sqlite', 'postgres'] as const)(
  'the x402 facilitator of the payment service, on a real Hardhat node, its ledger on %s',
  (dialect) => {
    let chain: TestChain;
    let postgres: TemporaryPostgres | undefined;
    let payment: PaymentUnderTest;
    let payer: HDNodeWallet;
    let domain: { name: string; version: string; chainId: number; verifyingContract: string };
    const events: LogEvent[] = [];
    const token = () => MNEEToken__factory.connect(chain.deployment.token.address, chain.provider);
    const balanceOf = (address: string) => token().balanceOf(address);

    const requirements = (amount = mnee('0.01')) => ({
      scheme: 'exact',
      network: 'eip155:31337',
      asset: chain.deployment.token.address,
      amount: amount.toString(),
      payTo: ORACLE_PAYEE,
      maxTimeoutSeconds: 60,
      extra: { name: domain.name, version: domain.version },
    });

    /** An x402 v2 body: the payer's ERC-3009 authorization for `required`, signed as `terms` say. */
    const body = async (required = requirements(), terms: Terms = {}) => {
      const now = Math.floor(Date.now() / 1000);
      const authorization = {
        from: payer.address,
        to: terms.to ?? required.payTo,
        value: (terms.value ?? BigInt(required.amount)).toString(),
        validAfter: String(now - 600),
        validBefore: String(terms.validBefore ?? now + 300),
        nonce: terms.nonce ?? `0x${randomBytes(32).toString('hex')}`,
      };
      const signature = await (terms.signer ?? payer).signTypedData(domain, TRANSFER_WITH_AUTHORIZATION_TYPES, authorization);
      return {
        x402Version: 2,
        paymentPayload: {
          x402Version: 2,
          resource: { url: 'http://localhost:8002/price', description: 'a price', mimeType: 'application/json' },
          accepted: required,
          payload: { signature, authorization },
        },
        paymentRequirements: required,
      };
    };
    const verify = async (payload: object, auth = oracle) => request(payment.app).post('/x402/verify').set(auth).send(payload);
    const settle = async (payload: object, auth = oracle) => request(payment.app).post('/x402/settle').set(auth).send(payload);

    beforeAll(async () => {
      chain = await startTestChain();
      postgres = dialect === 'postgres' ? await createTemporaryPostgres('nexus_payment_x402') : undefined;
      payment = await createPaymentUnderTest({
        deployment: chain.deployment,
        ...(postgres ? { databaseUrl: postgres.url } : {}),
        audit: {
          record: async (batch) => {
            events.push(...(Array.isArray(batch) ? batch : [batch]));
            return { added: 1 };
          },
        },
      });
      payer = chain.stranger;
      const mneeToken = token().connect(chain.treasury);
      await (await mneeToken.transfer(payer.address, mnee('5'))).wait();
      domain = {
        name: await token().name(),
        version: await token().version(),
        chainId: 31337,
        verifyingContract: chain.deployment.token.address,
      };
    }, 60_000);
    afterAll(async () => {
      await payment?.close();
      await postgres?.drop();
      await chain?.stop();
    });

    it('lists exact on eip155:31337, signed by the treasury; the gateway may read it', async () => {
      const response = await request(payment.app).get('/x402/supported').set(authAs('gateway'));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        kinds: [{ x402Version: 2, scheme: 'exact', network: 'eip155:31337' }],
        extensions: [],
        signers: { 'eip155:*': [getAddress(chain.treasury.address)] },
      });
    });

    it('verifies a good authorization', async () => {
      const response = await verify(await body());
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ isValid: true, payer: payer.address });
    });

    it.each([
      [
        'a wrong payee (the authorization pays someone else)',
        async () => body(requirements(), { to: Wallet.createRandom().address }),
        'invalid_exact_evm_recipient_mismatch',
      ],
      [
        'a wrong amount',
        async () => body(requirements(), { value: mnee('0.001') }),
        'invalid_exact_evm_payload_authorization_value_mismatch',
      ],
      [
        'an expired authorization',
        async () => body(requirements(), { validBefore: Math.floor(Date.now() / 1000) - 5 }),
        'invalid_exact_evm_payload_authorization_valid_before',
      ],
      ['a bad signature', async () => body(requirements(), { signer: Wallet.createRandom() }), 'invalid_exact_evm_signature'],
      ['another asset', async () => body({ ...requirements(), asset: chain.deployment.router }), 'invalid_payment_requirements'],
      ['another network', async () => body({ ...requirements(), network: 'eip155:8453' }), 'invalid_network'],
      [
        "a payTo that is not the calling provider's payee",
        async () => body({ ...requirements(), payTo: chain.payees[0]!.address }),
        'invalid_payment_requirements',
      ],
      ['an amount that is no exact MNEE money', async () => body(requirements(10n)), 'invalid_exact_evm_authorization_value'],
    ])('refuses %s', async (_what, make, reason) => {
      const response = await verify(await make());
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ isValid: false, invalidReason: reason });
    });

    it('settles exactly the amount once: one ledger row, one event; the same payload again pays nothing more; its nonce no longer verifies', async () => {
      const payload = await body(requirements(mnee('0.25')));
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
        agentId: '',
        decisionId: '',
        serviceId: 'PRICE_ORACLE',
        payee: ORACLE_PAYEE,
        payer: payer.address,
        authorizationNonce: payload.paymentPayload.payload.authorization.nonce,
        amount: 250_000n,
      });
      const ledgerView = await request(payment.app).get(`/payments/${rows[0]!.id}`).set(authAs('gateway'));
      expect(ledgerView.body).toMatchObject({ method: 'x402', payer: payer.address, amount: '0.25', agentId: '' });
      expect(events.slice(eventsBefore)).toEqual([
        expect.objectContaining({
          kind: 'transaction',
          status: 'SUCCESS',
          serviceId: 'PRICE_ORACLE',
          amount: '0.25',
          paymentId: rows[0]!.id,
          txHash: first.body.transaction,
          agentId: payer.address.toLowerCase(),
          decisionId: null,
        }),
      ]);

      // the logger takes it from the payment service as it is
      expect(() => LogEvent.parse(events.at(-1))).not.toThrow();

      const again = await settle(payload);

      expect(again.body).toMatchObject({ success: true, transaction: first.body.transaction });
      expect(await balanceOf(payer.address)).toBe(payerBefore - mnee('0.25'));
      expect(
        (await payment.store.list({ limit: 50 })).items.filter((row) => row.method === 'x402' && row.payer === payer.address),
      ).toHaveLength(1);
      expect(events.length).toBe(eventsBefore + 1);
      expect((await verify(payload)).body).toMatchObject({ isValid: false, invalidReason: 'invalid_exact_evm_nonce_already_used' });
      const refund = await request(payment.app).post(`/payments/${rows[0]!.id}/refund`).set(oracle).send({ reason: 'try' });
      expect(refund.status).toBe(409);
      expect(refund.body.error.code).toBe('PAYMENT_NOT_REFUNDABLE');
    });

    it('refuses an authorization whose nonce was used elsewhere, at verify and at settle, and pays nothing', async () => {
      const payload = await body(requirements(mnee('0.02')));
      const { authorization, signature } = payload.paymentPayload.payload;
      // someone else redeems it on chain, outside the facilitator
      const direct = token().connect(chain.payees[1]!);
      await (
        await direct.getFunction('transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)')(
          authorization.from,
          authorization.to,
          authorization.value,
          authorization.validAfter,
          authorization.validBefore,
          authorization.nonce,
          signature,
        )
      ).wait();
      const payerBefore = await balanceOf(payer.address);

      expect((await verify(payload)).body).toMatchObject({ isValid: false, invalidReason: 'invalid_exact_evm_nonce_already_used' });
      expect((await settle(payload)).body).toMatchObject({ success: false, errorReason: 'invalid_exact_evm_nonce_already_used' });
      expect(await balanceOf(payer.address)).toBe(payerBefore);
    });

    it("signs through the treasury's one sender: x402 settles and grant payments at once all land, each nonce used once", async () => {
      const nonceBefore = await chain.provider.getTransactionCount(chain.treasury.address, 'latest');
      const payloads = await Promise.all([1, 2, 3].map(() => body(requirements(mnee('0.01')))));
      const grants = await Promise.all(
        [1, 2, 3].map(async (index) => ({
          grant: await payment.grants.issue({
            agentId: 'user-agent',
            serviceId: 'IMAGE_GEN',
            amount: '0.01',
            decisionId: `dec_x402_${index}`,
            reservationId: `res_x402_${index}`,
          }),
          idempotencyKey: `x402-mix-${index}`,
        })),
      );

      const answers = await Promise.all([
        ...payloads.map((payload) => settle(payload)),
        ...grants.map((grant) => request(payment.app).post('/payments').set(authAs('gateway')).send(grant)),
      ]);

      expect(answers.slice(0, 3).map((answer) => answer.body.success)).toEqual([true, true, true]);
      expect(answers.slice(3).map((answer) => answer.body.status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
      // three settles and at least one batch of the grants' payments, no nonce skipped or reused
      const nonceAfter = await chain.provider.getTransactionCount(chain.treasury.address, 'latest');
      expect(nonceAfter - nonceBefore).toBeGreaterThanOrEqual(4);
      expect(await chain.provider.getTransactionCount(chain.treasury.address, 'pending')).toBe(nonceAfter);
    });

    it('lets a provider verify and settle for its own payee only, and never the gateway', async () => {
      const payload = await body();
      expect((await verify(payload, authAs('image-gen'))).body).toMatchObject({
        isValid: false,
        invalidReason: 'invalid_payment_requirements',
      });
      expect((await settle(payload, authAs('gateway'))).status).toBe(403);
      expect((await verify(payload, authAs('operator'))).status).toBe(403);
    });

    it('answers a malformed body with 400 in the service error format', async () => {
      const response = await verify({ x402Version: 1 });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
    });
  },
);

describe('the x402 facilitator in mock mode', () => {
  let payment: PaymentUnderTest;
  beforeAll(async () => {
    payment = await createPaymentUnderTest();
  });
  afterAll(async () => payment?.close());

  it('answers 409 X402_NEEDS_CHAIN_MODE on each route', async () => {
    for (const call of [
      request(payment.app).get('/x402/supported').set(authAs('gateway')),
      request(payment.app).post('/x402/verify').set(oracle).send({}),
      request(payment.app).post('/x402/settle').set(oracle).send({}),
    ]) {
      const response = await call;
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('X402_NEEDS_CHAIN_MODE');
    }
  });
});
