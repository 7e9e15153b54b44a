import { Signature, parseUnits } from 'ethers';
import { MNEEPaymentRouter__factory, MNEEToken__factory } from './generated';
import { paymentRefOf, serviceIdToBytes32 } from './payment-ref';
import { decodeRouterEvents } from './router-events';
import { fundFrontRunner, payUnderRef } from './testing/front-runner';
import { startTestChain, type TestChain } from './testing/test-chain';
import { receiptOf, revertOf } from './testing/tx-outcomes';
import { checkPaymentOnChain } from './verify-payment';

const mnee = (amount: string) => parseUnits(amount, 18);

describe('MNEEToken and MNEEPaymentRouter on a real Hardhat node', () => {
  let chain: TestChain;
  let refCounter = 0;
  const nextRef = () => paymentRefOf(`pay_test_${++refCounter}`);

  beforeAll(async () => {
    chain = await startTestChain();
  }, 60_000);
  afterAll(() => chain?.stop());

  const token = () => MNEEToken__factory.connect(chain.deployment.token.address, chain.treasury);
  const router = (signer = chain.treasury) => MNEEPaymentRouter__factory.connect(chain.deployment.router, signer);
  const payee = () => chain.payees[0]!;

  it('pays: moves exactly the amount from the treasury to the payee and emits a decodable PaymentMade', async () => {
    const ref = nextRef();
    const [treasuryBefore, payeeBefore] = await Promise.all([
      token().balanceOf(chain.treasury.address),
      token().balanceOf(payee().address),
    ]);

    const receipt = await receiptOf(router().pay(payee().address, mnee('0.05'), serviceIdToBytes32('PRICE_ORACLE'), ref));

    expect(await token().balanceOf(chain.treasury.address)).toBe(treasuryBefore - mnee('0.05'));
    expect(await token().balanceOf(payee().address)).toBe(payeeBefore + mnee('0.05'));
    const events = decodeRouterEvents(receipt.logs, chain.deployment.router);
    expect(events.payments).toEqual([
      expect.objectContaining({
        paymentRef: ref,
        payer: chain.treasury.address,
        payee: payee().address,
        amount: mnee('0.05'),
        serviceId: 'PRICE_ORACLE',
      }),
    ]);
    const recorded = await router().paymentOf(chain.treasury.address, ref);
    expect(recorded.payer).toBe(chain.treasury.address);
    expect(recorded.refunded).toBe(false);
  });

  it('refuses a second payment of the same reference, and moves nothing', async () => {
    const ref = nextRef();
    await receiptOf(router().pay(payee().address, mnee('0.30'), serviceIdToBytes32('LOG_ARCHIVE'), ref));
    const before = await token().balanceOf(chain.treasury.address);

    const reason = await revertOf(router().pay(payee().address, mnee('0.30'), serviceIdToBytes32('LOG_ARCHIVE'), ref));

    expect(reason).toEqual({ name: 'PaymentRefAlreadyUsed', args: [chain.treasury.address, ref] });
    expect(await token().balanceOf(chain.treasury.address)).toBe(before);
  });

  it('refuses a zero amount, a zero reference and paying oneself', async () => {
    const service = serviceIdToBytes32('IMAGE_GEN');
    expect((await revertOf(router().pay(payee().address, 0n, service, nextRef())))?.name).toBe('ZeroAmount');
    expect((await revertOf(router().pay(payee().address, 1n, service, `0x${'0'.repeat(64)}`)))?.name).toBe('ZeroPaymentRef');
    expect((await revertOf(router().pay(chain.treasury.address, 1n, service, nextRef())))?.name).toBe('InvalidPayee');
  });

  it('reverts a payment the payer cannot cover, with the token error decoded', async () => {
    const reason = await revertOf(router(chain.stranger).pay(payee().address, mnee('1'), serviceIdToBytes32('IMAGE_GEN'), nextRef()));
    expect(reason?.name).toBe('ERC20InsufficientAllowance');
  });

  it('refunds only by the payee, once, back to the payer', async () => {
    const ref = nextRef();
    await receiptOf(router().pay(payee().address, mnee('0.50'), serviceIdToBytes32('IMAGE_GEN'), ref));
    const treasuryBefore = await token().balanceOf(chain.treasury.address);

    const payer = chain.treasury.address;
    expect(await revertOf(router(chain.stranger).refund(payer, ref))).toEqual({
      name: 'NotPayee',
      args: [payer, ref, chain.stranger.address],
    });
    expect(await revertOf(router(chain.payees[1]!).refund(payer, ref))).toEqual({
      name: 'NotPayee',
      args: [payer, ref, chain.payees[1]!.address],
    });
    expect(await revertOf(router(payee()).refund(chain.stranger.address, ref))).toEqual({
      name: 'UnknownPayment',
      args: [chain.stranger.address, ref],
    });
    const receipt = await receiptOf(router(payee()).refund(payer, ref));

    expect(await token().balanceOf(chain.treasury.address)).toBe(treasuryBefore + mnee('0.50'));
    expect(decodeRouterEvents(receipt.logs, chain.deployment.router).refunds).toEqual([
      expect.objectContaining({ paymentRef: ref, payer: chain.treasury.address, payee: payee().address, amount: mnee('0.50') }),
    ]);
    expect((await router().paymentOf(payer, ref)).refunded).toBe(true);
    expect(await revertOf(router(payee()).refund(payer, ref))).toEqual({ name: 'AlreadyRefunded', args: [payer, ref] });
    expect(await revertOf(router(payee()).refund(payer, nextRef()))).toMatchObject({ name: 'UnknownPayment' });
  });

  it('settles a batch of payments to several payees in one transaction', async () => {
    const requests = chain.payees.map((account, index) => ({
      payee: account.address,
      amount: mnee(`0.0${index + 1}`),
      serviceId: serviceIdToBytes32(['IMAGE_GEN', 'PRICE_ORACLE', 'BATCH_COMPUTE', 'LOG_ARCHIVE'][index]!),
      paymentRef: nextRef(),
    }));
    const before = await Promise.all(chain.payees.map((account) => token().balanceOf(account.address)));
    const treasuryBefore = await token().balanceOf(chain.treasury.address);

    const receipt = await receiptOf(router().payBatch(requests));

    const after = await Promise.all(chain.payees.map((account) => token().balanceOf(account.address)));
    after.forEach((balance, index) => expect(balance - before[index]!).toBe(requests[index]!.amount));
    expect(treasuryBefore - (await token().balanceOf(chain.treasury.address))).toBe(mnee('0.10'));
    const events = decodeRouterEvents(receipt.logs, chain.deployment.router).payments;
    expect(events.map((event) => [event.paymentRef, event.serviceId])).toEqual(
      requests.map((request, index) => [request.paymentRef, ['IMAGE_GEN', 'PRICE_ORACLE', 'BATCH_COMPUTE', 'LOG_ARCHIVE'][index]]),
    );
  });

  it('reverts a whole batch when one reference was already paid, moving nothing', async () => {
    const paid = nextRef();
    await receiptOf(router().pay(payee().address, mnee('0.01'), serviceIdToBytes32('IMAGE_GEN'), paid));
    const before = await token().balanceOf(chain.treasury.address);
    const batch = [nextRef(), paid].map((paymentRef) => ({
      payee: payee().address,
      amount: mnee('0.01'),
      serviceId: serviceIdToBytes32('IMAGE_GEN'),
      paymentRef,
    }));

    expect(await revertOf(router().payBatch(batch))).toEqual({ name: 'PaymentRefAlreadyUsed', args: [chain.treasury.address, paid] });
    expect(await revertOf(router().payBatch([]))).toMatchObject({ name: 'EmptyBatch' });
    expect(await token().balanceOf(chain.treasury.address)).toBe(before);
  });

  describe('a reference belongs to its payer', () => {
    let frontRunner: Awaited<ReturnType<typeof fundFrontRunner>>;
    beforeAll(async () => {
      frontRunner = await fundFrontRunner(chain);
    });

    it('another account paying first under our reference neither takes it nor blocks our payment', async () => {
      const ref = nextRef();
      const theirs = await payUnderRef(chain, frontRunner, { payee: payee().address, serviceId: 'IMAGE_GEN', paymentRef: ref, amount: 1n });
      const treasuryBefore = await token().balanceOf(chain.treasury.address);

      const receipt = await receiptOf(router().pay(payee().address, mnee('0.50'), serviceIdToBytes32('IMAGE_GEN'), ref));

      expect(receipt.hash).not.toBe(theirs);
      expect(await token().balanceOf(chain.treasury.address)).toBe(treasuryBefore - mnee('0.50'));
      expect(decodeRouterEvents(receipt.logs, chain.deployment.router).payments).toEqual([
        expect.objectContaining({ paymentRef: ref, payer: chain.treasury.address, amount: mnee('0.50') }),
      ]);
      const [ours, theirsOnRecord] = await Promise.all([
        router().paymentOf(chain.treasury.address, ref),
        router().paymentOf(frontRunner.address, ref),
      ]);
      expect([ours.payer, ours.amount]).toEqual([chain.treasury.address, mnee('0.50')]);
      expect([theirsOnRecord.payer, theirsOnRecord.amount]).toEqual([frontRunner.address, 1n]);
    });

    it('refunds each payer its own payment of a shared reference', async () => {
      const ref = nextRef();
      await payUnderRef(chain, frontRunner, { payee: payee().address, serviceId: 'IMAGE_GEN', paymentRef: ref, amount: 1n });
      await receiptOf(router().pay(payee().address, mnee('0.20'), serviceIdToBytes32('IMAGE_GEN'), ref));
      const treasuryBefore = await token().balanceOf(chain.treasury.address);

      const receipt = await receiptOf(router(payee()).refund(frontRunner.address, ref));

      expect(decodeRouterEvents(receipt.logs, chain.deployment.router).refunds).toEqual([
        expect.objectContaining({ paymentRef: ref, payer: frontRunner.address, amount: 1n }),
      ]);
      expect(await token().balanceOf(chain.treasury.address)).toBe(treasuryBefore);
      expect((await router().paymentOf(chain.treasury.address, ref)).refunded).toBe(false);
    });

    it('lists a payment whose service id does not decode as malformed instead of throwing', async () => {
      const receipt = await receiptOf(router(frontRunner).pay(payee().address, 1n, `0x${'ff'.repeat(32)}`, nextRef()));

      const events = decodeRouterEvents(receipt.logs, chain.deployment.router);

      expect(events.payments).toEqual([]);
      expect(events.malformed).toEqual([expect.objectContaining({ logIndex: expect.any(Number) })]);
    });
  });

  it('lets only the deployer mint', async () => {
    const reason = await revertOf(
      MNEEToken__factory.connect(chain.deployment.token.address, chain.stranger).mint(chain.stranger.address, 1n),
    );
    expect(reason).toEqual({ name: 'OwnableUnauthorizedAccount', args: [chain.stranger.address] });
    expect(await token().decimals()).toBe(18n);
  });

  it('accepts an EIP-2612 permit signed off chain', async () => {
    const owner = chain.payees[2]!;
    const spender = chain.stranger.address;
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
    const nonce = await token().nonces(owner.address);
    const domain = {
      name: chain.deployment.token.name,
      version: '1',
      chainId: chain.deployment.chainId,
      verifyingContract: chain.deployment.token.address,
    };
    const types = {
      Permit: ['owner', 'spender', 'value', 'nonce', 'deadline'].map((name) => ({
        name,
        type: name === 'owner' || name === 'spender' ? 'address' : 'uint256',
      })),
    };
    const signature = Signature.from(
      await owner.signTypedData(domain, types, { owner: owner.address, spender, value: mnee('2'), nonce, deadline }),
    );

    await receiptOf(token().permit(owner.address, spender, mnee('2'), deadline, signature.v, signature.r, signature.s));

    expect(await token().allowance(owner.address, spender)).toBe(mnee('2'));
  });

  describe('checkPaymentOnChain', () => {
    let txHash: string;
    const ref = paymentRefOf('pay_verify');
    beforeAll(async () => {
      const receipt = await receiptOf(router().pay(payee().address, mnee('0.30'), serviceIdToBytes32('LOG_ARCHIVE'), ref));
      txHash = receipt.hash;
    });
    const check = (expected: Partial<Parameters<typeof checkPaymentOnChain>[3]>, confirmations = 1) =>
      checkPaymentOnChain(
        chain.provider,
        chain.deployment.router,
        txHash,
        { payer: chain.treasury.address, payee: payee().address, serviceId: 'LOG_ARCHIVE', minAmount: mnee('0.30'), ...expected },
        confirmations,
      );

    it('accepts the payment it expects', async () => {
      expect(await check({ paymentRef: ref })).toMatchObject({ valid: true, event: { paymentRef: ref, amount: mnee('0.30') } });
    });

    it('names what is wrong with a payment that does not fit', async () => {
      expect(await check({ payee: chain.payees[1]!.address })).toMatchObject({ valid: false, reason: 'WRONG_PAYEE' });
      expect(await check({ serviceId: 'IMAGE_GEN' })).toMatchObject({ valid: false, reason: 'WRONG_SERVICE' });
      expect(await check({ minAmount: mnee('0.31') })).toMatchObject({ valid: false, reason: 'AMOUNT_TOO_LOW' });
      expect(await check({ paymentRef: paymentRefOf('other') })).toMatchObject({ valid: false, reason: 'WRONG_REFERENCE' });
      expect(await check({}, 1_000)).toMatchObject({ valid: false, reason: 'NOT_CONFIRMED' });
      expect(
        await checkPaymentOnChain(
          chain.provider,
          chain.deployment.router,
          `0x${'ab'.repeat(32)}`,
          { payer: chain.treasury.address, payee: payee().address, serviceId: 'LOG_ARCHIVE', minAmount: 1n },
          1,
        ),
      ).toMatchObject({ valid: false, reason: 'TX_NOT_FOUND' });
    });

    it('refuses a payment another account made under our reference, though payee, service and amount fit', async () => {
      const frontRunner = await fundFrontRunner(chain);
      const theirs = await payUnderRef(chain, frontRunner, {
        payee: payee().address,
        serviceId: 'LOG_ARCHIVE',
        paymentRef: ref,
        amount: mnee('0.30'),
      });
      const expected = { payer: chain.treasury.address, payee: payee().address, serviceId: 'LOG_ARCHIVE', minAmount: mnee('0.30') };

      expect(await checkPaymentOnChain(chain.provider, chain.deployment.router, theirs, { ...expected, paymentRef: ref }, 1)).toMatchObject(
        {
          valid: false,
          reason: 'WRONG_PAYER',
        },
      );
      expect(
        await checkPaymentOnChain(chain.provider, chain.deployment.router, theirs, { ...expected, payer: frontRunner.address }, 1),
      ).toMatchObject({ valid: true });
    });

    it('finds each payment of a batch by its own reference among the events of one receipt, and its refund by its own', async () => {
      const amounts = [mnee('0.10'), mnee('0.20'), mnee('0.30')];
      const refs = amounts.map(() => nextRef());
      // the same payer, payee and service for all three: only the reference tells them apart
      const receipt = await receiptOf(
        router().payBatch(
          refs.map((paymentRef, index) => ({
            payee: payee().address,
            amount: amounts[index]!,
            serviceId: serviceIdToBytes32('LOG_ARCHIVE'),
            paymentRef,
          })),
        ),
      );
      const checkOf = (paymentRef: string, minAmount: bigint) =>
        checkPaymentOnChain(
          chain.provider,
          chain.deployment.router,
          receipt.hash,
          { payer: chain.treasury.address, payee: payee().address, serviceId: 'LOG_ARCHIVE', minAmount, paymentRef },
          1,
        );

      for (const [index, paymentRef] of refs.entries())
        expect(await checkOf(paymentRef, amounts[index]!)).toMatchObject({ valid: true, event: { paymentRef, amount: amounts[index] } });
      // the first payment is not taken for the larger ones beside it
      expect(await checkOf(refs[0]!, amounts[2]!)).toMatchObject({ valid: false, reason: 'AMOUNT_TOO_LOW' });
      await receiptOf(router(payee()).refund(chain.treasury.address, refs[1]!));
      expect(await checkOf(refs[1]!, amounts[1]!)).toMatchObject({ valid: false, reason: 'REFUNDED' });
      expect(await checkOf(refs[2]!, amounts[2]!)).toMatchObject({ valid: true });
    });

    it('refuses a refunded payment', async () => {
      await receiptOf(router(payee()).refund(chain.treasury.address, ref));
      expect(await check({})).toMatchObject({ valid: false, reason: 'REFUNDED' });
    });
  });
});
