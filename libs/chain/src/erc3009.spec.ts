import { ExactEvmScheme } from '@x402/evm/exact/client';
import { Signature, parseUnits, type HDNodeWallet } from 'ethers';
import {
  CANCEL_AUTHORIZATION_TYPES,
  decodeTokenEvents,
  randomAuthorizationNonce,
  readTokenDomain,
  RECEIVE_WITH_AUTHORIZATION_TYPES,
  signTransferAuthorization,
  type TokenDomain,
  type TransferAuthorization,
  x402PayerSigner,
} from './erc3009';
import { MNEEToken__factory } from './generated';
import { startTestChain, type TestChain } from './testing/test-chain';
import { receiptOf, revertOf } from './testing/tx-outcomes';

const mnee = (amount: string) => parseUnits(amount, 18);
const WITH_VRS = 'transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)';
const WITH_BYTES = 'transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)';
const refused = (text: string) => ({ name: 'Error', args: [`MNEEToken: ${text}`] });

describe('MNEEToken ERC-3009 (transfer with authorization) on a real Hardhat node', () => {
  let chain: TestChain;
  let domain: TokenDomain;

  beforeAll(async () => {
    chain = await startTestChain();
    domain = await readTokenDomain(chain.provider, chain.deployment.token.address);
  }, 60_000);
  afterAll(() => chain?.stop());

  const token = (signer: HDNodeWallet = chain.stranger) => MNEEToken__factory.connect(chain.deployment.token.address, signer);
  const chainNow = async () => BigInt((await chain.provider.getBlock('latest'))!.timestamp);
  const payee = () => chain.payees[0]!;
  /** an authorization from the treasury to the first payee, valid for an hour */
  const authorization = async (overrides: Partial<TransferAuthorization> = {}): Promise<TransferAuthorization> => ({
    from: chain.treasury.address,
    to: payee().address,
    value: mnee('0.05'),
    validAfter: 0n,
    validBefore: (await chainNow()) + 3600n,
    nonce: randomAuthorizationNonce(),
    ...overrides,
  });
  const argsOf = (auth: TransferAuthorization) => [auth.from, auth.to, auth.value, auth.validAfter, auth.validBefore, auth.nonce] as const;
  /** submits with the v,r,s overload (what the x402 facilitator calls for a 65-byte signature), from a relayer holding no MNEE */
  const submit = async (auth: TransferAuthorization, signer: HDNodeWallet = chain.treasury, relayer = chain.stranger) => {
    const signature = Signature.from(await signTransferAuthorization(signer, domain, auth));
    return token(relayer)[WITH_VRS](...argsOf(auth), signature.v, signature.r, signature.s);
  };

  it('exposes the EIP-712 domain the x402 `extra` names: name(), version() and eip712Domain() agree', async () => {
    expect(domain).toEqual({
      name: chain.deployment.token.name,
      version: '1',
      chainId: BigInt(chain.deployment.chainId),
      verifyingContract: chain.deployment.token.address,
    });
    expect(await token().name()).toBe(domain.name);
    expect(await token().version()).toBe(domain.version);
  });

  it('moves exactly the value from the signer to the payee, relayed by anybody, and emits AuthorizationUsed and Transfer', async () => {
    const auth = await authorization();
    const [fromBefore, toBefore, relayerBefore] = await Promise.all(
      [chain.treasury, payee(), chain.stranger].map((account) => token().balanceOf(account.address)),
    );
    expect(await token().authorizationState(auth.from, auth.nonce)).toBe(false);

    const receipt = await receiptOf(submit(auth));

    expect(await token().balanceOf(chain.treasury.address)).toBe(fromBefore! - auth.value);
    expect(await token().balanceOf(payee().address)).toBe(toBefore! + auth.value);
    expect(await token().balanceOf(chain.stranger.address)).toBe(relayerBefore);
    expect(await token().authorizationState(auth.from, auth.nonce)).toBe(true);
    const events = decodeTokenEvents(receipt.logs, chain.deployment.token.address);
    expect(events.authorizationsUsed).toEqual([{ authorizer: auth.from, nonce: auth.nonce, logIndex: expect.any(Number) }]);
    expect(events.transfers).toEqual([{ from: auth.from, to: auth.to, value: auth.value, logIndex: expect.any(Number) }]);
    expect(events.authorizationsCanceled).toEqual([]);
  });

  it('accepts the same authorization through the bytes-signature overload', async () => {
    const auth = await authorization({ value: mnee('0.01') });
    const signature = await signTransferAuthorization(chain.treasury, domain, auth);
    const before = await token().balanceOf(payee().address);

    await receiptOf(token()[WITH_BYTES](...argsOf(auth), signature));

    expect(await token().balanceOf(payee().address)).toBe(before + auth.value);
  });

  it('refuses a replay, and moves nothing', async () => {
    const auth = await authorization();
    await receiptOf(submit(auth));
    const before = await token().balanceOf(chain.treasury.address);

    expect(await revertOf(submit(auth))).toEqual(refused('authorization is used or canceled'));
    expect(await token().balanceOf(chain.treasury.address)).toBe(before);
  });

  it('refuses an expired authorization and one not valid yet', async () => {
    const now = await chainNow();
    expect(await revertOf(submit(await authorization({ validBefore: now - 1n })))).toEqual(refused('authorization is expired'));
    expect(await revertOf(submit(await authorization({ validAfter: now + 3600n, validBefore: now + 7200n })))).toEqual(
      refused('authorization is not yet valid'),
    );
  });

  it('refuses a signature by anybody but `from`, and a signed value changed after signing', async () => {
    expect(await revertOf(submit(await authorization(), chain.stranger))).toEqual(refused('invalid signature'));

    const auth = await authorization();
    const signature = Signature.from(await signTransferAuthorization(chain.treasury, domain, auth));
    expect(
      await revertOf(token()[WITH_VRS](...argsOf({ ...auth, value: auth.value + 1n }), signature.v, signature.r, signature.s)),
    ).toEqual(refused('invalid signature'));
    expect(await token().authorizationState(auth.from, auth.nonce)).toBe(false);
  });

  it('refuses a signature made for another chain id', async () => {
    const auth = await authorization();
    const signature = Signature.from(await signTransferAuthorization(chain.treasury, { ...domain, chainId: 1n }, auth));
    expect(await revertOf(token()[WITH_VRS](...argsOf(auth), signature.v, signature.r, signature.s))).toEqual(refused('invalid signature'));
  });

  it('refuses an authorization its signer canceled first, and emits AuthorizationCanceled', async () => {
    const auth = await authorization();
    const cancel = Signature.from(
      await chain.treasury.signTypedData(domain, CANCEL_AUTHORIZATION_TYPES, { authorizer: auth.from, nonce: auth.nonce }),
    );
    const receipt = await receiptOf(
      token()['cancelAuthorization(address,bytes32,uint8,bytes32,bytes32)'](auth.from, auth.nonce, cancel.v, cancel.r, cancel.s),
    );

    expect(decodeTokenEvents(receipt.logs, chain.deployment.token.address).authorizationsCanceled).toEqual([
      { authorizer: auth.from, nonce: auth.nonce, logIndex: expect.any(Number) },
    ]);
    expect(await token().authorizationState(auth.from, auth.nonce)).toBe(true);
    expect(await revertOf(submit(auth))).toEqual(refused('authorization is used or canceled'));
    expect(await revertOf(token()['cancelAuthorization(address,bytes32,bytes)'](auth.from, auth.nonce, cancel.serialized))).toEqual(
      refused('authorization is used or canceled'),
    );
  });

  it('lets only the payee submit a receiveWithAuthorization', async () => {
    const auth = await authorization();
    const signature = await signTransferAuthorization(chain.treasury, domain, auth, RECEIVE_WITH_AUTHORIZATION_TYPES);
    const receive = (caller: HDNodeWallet) =>
      token(caller)['receiveWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)'](...argsOf(auth), signature);
    const before = await token().balanceOf(payee().address);

    expect(await revertOf(receive(chain.stranger))).toEqual(refused('caller must be the payee'));
    await receiptOf(receive(payee()));

    expect(await token().balanceOf(payee().address)).toBe(before + auth.value);
    // a receive signature is no transfer signature
    const asTransfer = Signature.from(signature);
    expect(
      await revertOf(
        token()[WITH_VRS](...argsOf({ ...auth, nonce: randomAuthorizationNonce() }), asTransfer.v, asTransfer.r, asTransfer.s),
      ),
    ).toEqual(refused('invalid signature'));
  });

  it('accepts what the official @x402/evm `exact` client signs for an offer naming the token’s domain', async () => {
    const payer = chain.treasury;
    const client = new ExactEvmScheme(x402PayerSigner(payer));
    const offer = {
      scheme: 'exact',
      network: `eip155:${chain.deployment.chainId}` as const,
      asset: chain.deployment.token.address,
      amount: mnee('0.05').toString(),
      payTo: payee().address,
      maxTimeoutSeconds: 60,
      extra: { name: domain.name, version: domain.version },
    };
    const { payload } = (await client.createPaymentPayload(2, offer)) as unknown as {
      payload: { authorization: Record<'from' | 'to' | 'value' | 'validAfter' | 'validBefore' | 'nonce', string>; signature: string };
    };
    const { authorization } = payload;
    const before = await token().balanceOf(payee().address);

    const signature = Signature.from(payload.signature);
    const receipt = await receiptOf(
      token()[WITH_VRS](
        authorization.from,
        authorization.to,
        BigInt(authorization.value),
        BigInt(authorization.validAfter),
        BigInt(authorization.validBefore),
        authorization.nonce,
        signature.v,
        signature.r,
        signature.s,
      ),
    );

    expect(await token().balanceOf(payee().address)).toBe(before + mnee('0.05'));
    expect(decodeTokenEvents(receipt.logs, chain.deployment.token.address).authorizationsUsed).toEqual([
      { authorizer: payer.address, nonce: authorization.nonce, logIndex: expect.any(Number) },
    ]);
  });

  it('refuses a transfer beyond the signer’s balance with the token’s own error', async () => {
    const poor = chain.payees[3]!;
    const balance = await token().balanceOf(poor.address);
    const auth = await authorization({ from: poor.address, value: balance + 1n });
    expect((await revertOf(submit(auth, poor)))?.name).toBe('ERC20InsufficientBalance');
  });
});
