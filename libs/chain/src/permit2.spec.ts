import { randomBytes } from 'node:crypto';
import { PERMIT2_ADDRESS as LIBRARY_PERMIT2, x402ExactPermit2ProxyAddress, type ExactPermit2Payload } from '@x402/evm';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { AbiCoder, MaxUint256, TypedDataEncoder, keccak256, parseUnits, type HDNodeWallet, type JsonRpcProvider } from 'ethers';
import { decodeTokenEvents, x402PayerSigner } from './erc3009';
import { MNEEToken__factory, Permit2__factory, X402ExactPermit2Proxy__factory } from './generated';
import {
  PERMIT2_ADDRESS,
  permit2Domain,
  permit2NonceBit,
  permit2NonceHex,
  PERMIT2_WITNESS_TYPES,
  placePermit2,
  X402_EXACT_PERMIT2_PROXY_ADDRESS,
  type Permit2Authorization,
} from './permit2';
import { startTestChain, type TestChain } from './testing/test-chain';
import { receiptOf, revertOf } from './testing/tx-outcomes';

const mnee = (amount: string) => parseUnits(amount, 18);
const WITNESS_TYPEHASH = keccak256(Buffer.from('Witness(address to,uint256 validAfter)'));
const WITNESS_TYPE_STRING = 'Witness witness)TokenPermissions(address token,uint256 amount)Witness(address to,uint256 validAfter)';
const randomNonce = () => BigInt(`0x${randomBytes(32).toString('hex')}`);

describe('the Permit2 stand-in and the x402 exact Permit2 proxy on a real Hardhat node', () => {
  let chain: TestChain;
  let payer: HDNodeWallet;

  beforeAll(async () => {
    chain = await startTestChain();
    payer = chain.stranger;
    const token = MNEEToken__factory.connect(chain.deployment.token.address, chain.treasury);
    await (await token.transfer(payer.address, mnee('10'))).wait();
    // the payer's one-time approval of Permit2: an ordinary ERC-20 approve
    await (await token.connect(payer).approve(PERMIT2_ADDRESS, MaxUint256)).wait();
  }, 60_000);
  afterAll(() => chain?.stop());

  const token = () => MNEEToken__factory.connect(chain.deployment.token.address, chain.provider);
  const permit2 = (signer: HDNodeWallet = chain.payees[1]!) => Permit2__factory.connect(PERMIT2_ADDRESS, signer);
  const proxy = (signer: HDNodeWallet = chain.treasury) => X402ExactPermit2Proxy__factory.connect(X402_EXACT_PERMIT2_PROXY_ADDRESS, signer);
  const chainNow = async () => BigInt((await chain.provider.getBlock('latest'))!.timestamp);
  const payee = () => chain.payees[0]!;
  const balanceOf = (address: string) => token().balanceOf(address);

  /** a permit of 0.05 MNEE to the first payee, for `spender` (the proxy by default), valid for an hour */
  const authorization = async (overrides: Partial<Permit2Authorization> = {}): Promise<Permit2Authorization> => ({
    permitted: { token: chain.deployment.token.address, amount: mnee('0.05') },
    spender: X402_EXACT_PERMIT2_PROXY_ADDRESS,
    nonce: randomNonce(),
    deadline: (await chainNow()) + 3600n,
    witness: { to: payee().address, validAfter: 0n },
    ...overrides,
  });
  const sign = (auth: Permit2Authorization, signer: HDNodeWallet = payer) =>
    signer.signTypedData(permit2Domain(chain.deployment.chainId), PERMIT2_WITNESS_TYPES, auth);
  const witnessHash = (witness: Permit2Authorization['witness']) =>
    keccak256(AbiCoder.defaultAbiCoder().encode(['bytes32', 'address', 'uint256'], [WITNESS_TYPEHASH, witness.to, witness.validAfter]));
  const permitOf = (auth: Permit2Authorization) => ({ permitted: auth.permitted, nonce: auth.nonce, deadline: auth.deadline });
  /** Permit2 called directly by `spender` (who must be the permit's spender), moving `amount` to the witness's payee */
  const transferAs = async (
    spender: HDNodeWallet,
    auth: Permit2Authorization,
    signature: string,
    amount = auth.permitted.amount,
    witness = auth.witness,
  ) =>
    permit2(spender).permitWitnessTransferFrom(
      permitOf(auth),
      { to: witness.to, requestedAmount: amount },
      payer.address,
      witnessHash(witness),
      WITNESS_TYPE_STRING,
      signature,
    );

  it('are at the canonical addresses @x402/evm uses, with the domain of Uniswap Permit2 computed at call time', async () => {
    expect(PERMIT2_ADDRESS).toBe(LIBRARY_PERMIT2);
    expect(X402_EXACT_PERMIT2_PROXY_ADDRESS).toBe(x402ExactPermit2ProxyAddress);
    expect(await chain.provider.getCode(PERMIT2_ADDRESS)).not.toBe('0x');
    expect(await chain.provider.getCode(X402_EXACT_PERMIT2_PROXY_ADDRESS)).not.toBe('0x');
    expect(await permit2().DOMAIN_SEPARATOR()).toBe(TypedDataEncoder.hashDomain(permit2Domain(31337)));
    expect(await proxy().PERMIT2()).toBe(PERMIT2_ADDRESS);
    expect(await proxy().WITNESS_TYPEHASH()).toBe(WITNESS_TYPEHASH);
    expect(await proxy().WITNESS_TYPE_STRING()).toBe(WITNESS_TYPE_STRING);
  });

  it('are placed again idempotently, and never on another chain', async () => {
    await placePermit2(chain.provider);
    expect(await permit2().DOMAIN_SEPARATOR()).toBe(TypedDataEncoder.hashDomain(permit2Domain(31337)));
    const mainnet = { getNetwork: async () => ({ chainId: 1n }), send: jest.fn() } as unknown as JsonRpcProvider;
    await expect(placePermit2(mainnet)).rejects.toThrow(/local chain 31337 only/);
    expect((mainnet.send as jest.Mock).mock.calls).toEqual([]);
  });

  it("settles the official client's Permit2 payload through the proxy: exactly the amount moves, to the signed payee, its nonce is spent", async () => {
    const scheme = new ExactEvmScheme(x402PayerSigner(payer));
    const requirements = {
      scheme: 'exact',
      network: 'eip155:31337' as const,
      asset: chain.deployment.token.address,
      amount: mnee('0.05').toString(),
      payTo: payee().address,
      maxTimeoutSeconds: 300,
      extra: { assetTransferMethod: 'permit2' },
    };
    const { payload } = await scheme.createPaymentPayload(2, requirements);
    const signed = payload as unknown as ExactPermit2Payload;
    const auth = signed.permit2Authorization;
    expect(auth).toMatchObject({ from: payer.address, spender: X402_EXACT_PERMIT2_PROXY_ADDRESS, witness: { to: payee().address } });
    const [payerBefore, payeeBefore] = await Promise.all([balanceOf(payer.address), balanceOf(payee().address)]);

    const receipt = await receiptOf(
      proxy().settle(
        {
          permitted: { token: auth.permitted.token, amount: auth.permitted.amount },
          nonce: auth.nonce,
          deadline: auth.deadline,
        },
        auth.from,
        { to: auth.witness.to, validAfter: auth.witness.validAfter },
        signed.signature,
      ),
    );

    expect(await balanceOf(payer.address)).toBe(payerBefore - mnee('0.05'));
    expect(await balanceOf(payee().address)).toBe(payeeBefore + mnee('0.05'));
    expect(decodeTokenEvents(receipt.logs, chain.deployment.token.address).transfers).toMatchObject([
      { from: payer.address, to: payee().address, value: mnee('0.05') },
    ]);
    const { word, bit } = permit2NonceBit(BigInt(auth.nonce));
    expect((await permit2().nonceBitmap(payer.address, word)) & bit).toBe(bit);
    expect(permit2NonceHex(auth.nonce)).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('moves exactly the requested amount to the witness payee for the permit spender, once per nonce', async () => {
    const spender = chain.payees[1]!;
    const auth = await authorization({ spender: spender.address });
    const signature = await sign(auth);
    const [payerBefore, payeeBefore] = await Promise.all([balanceOf(payer.address), balanceOf(payee().address)]);

    await receiptOf(transferAs(spender, auth, signature, mnee('0.03')));

    expect(await balanceOf(payer.address)).toBe(payerBefore - mnee('0.03'));
    expect(await balanceOf(payee().address)).toBe(payeeBefore + mnee('0.03'));
    expect(await revertOf(transferAs(spender, auth, signature, mnee('0.01')))).toEqual({ name: 'InvalidNonce', args: [] });
    expect(await balanceOf(payer.address)).toBe(payerBefore - mnee('0.03'));
  });

  it('refuses an expired deadline, an amount above the permit, a wrong signer, a witness other than the signed one, another spender', async () => {
    const spender = chain.payees[1]!;
    const expired = await authorization({ spender: spender.address, deadline: (await chainNow()) - 1n });
    expect(await revertOf(transferAs(spender, expired, await sign(expired)))).toEqual({
      name: 'SignatureExpired',
      args: [expired.deadline.toString()],
    });
    const permit = await authorization({ spender: spender.address });
    const signature = await sign(permit);
    expect(await revertOf(transferAs(spender, permit, signature, mnee('0.06')))).toEqual({
      name: 'InvalidAmount',
      args: [mnee('0.05').toString()],
    });
    expect(await revertOf(transferAs(spender, permit, await sign(permit, chain.payees[2]!)))).toEqual({ name: 'InvalidSigner', args: [] });
    const redirected = { to: chain.payees[2]!.address, validAfter: 0n };
    expect(await revertOf(transferAs(spender, permit, signature, permit.permitted.amount, redirected))).toEqual({
      name: 'InvalidSigner',
      args: [],
    });
    expect(await revertOf(transferAs(chain.payees[2]!, permit, signature))).toEqual({ name: 'InvalidSigner', args: [] });
    // none of these spent the nonce: the permit still works as signed
    const before = await balanceOf(payee().address);
    await receiptOf(transferAs(spender, permit, signature));
    expect(await balanceOf(payee().address)).toBe(before + mnee('0.05'));
  });

  it('the proxy refuses before validAfter and a changed payee; an invalidated nonce no longer settles', async () => {
    const early = await authorization({ witness: { to: payee().address, validAfter: (await chainNow()) + 3600n } });
    const settle = (auth: Permit2Authorization, signature: string, witness = auth.witness) =>
      proxy().settle(permitOf(auth), payer.address, witness, signature);
    expect(await revertOf(settle(early, await sign(early)))).toEqual({ name: 'PaymentTooEarly', args: [] });

    const auth = await authorization();
    const signature = await sign(auth);
    expect(await revertOf(settle(auth, signature, { to: chain.treasury.address, validAfter: 0n }))).toEqual({
      name: 'InvalidSigner',
      args: [],
    });

    const { word, bit } = permit2NonceBit(auth.nonce);
    const receipt = await receiptOf(permit2(payer).invalidateUnorderedNonces(word, bit));
    expect(receipt.logs.map((log) => Permit2__factory.createInterface().parseLog(log)?.name)).toEqual(['UnorderedNonceInvalidation']);
    expect(await revertOf(settle(auth, signature))).toEqual({ name: 'InvalidNonce', args: [] });
  });
});
