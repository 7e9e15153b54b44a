import { startTestChain, type TestChain } from './testing/test-chain';
import { localAccount } from './local-accounts';
import { verifyTypedData } from 'ethers';
import { CANCEL_AUTHORIZATION_TYPES } from './erc3009';
import { TxSender } from './tx-sender';

jest.setTimeout(60_000);

describe('TxSender', () => {
  let chain: TestChain;
  beforeAll(async () => {
    chain = await startTestChain();
  });
  afterAll(() => chain?.stop());

  it("sends again from the chain's nonce when the node forgot transactions it mined (restarted from an older journal)", async () => {
    const sender = new TxSender(chain.treasury, { attempts: 3, initialDelayMs: 10, maxDelayMs: 50 });
    const to = localAccount(7).address;
    const before = (await chain.provider.send('evm_snapshot', [])) as string;
    await chain.provider.waitForTransaction(await sender.send({ to, value: 1n }));
    await chain.provider.waitForTransaction(await sender.send({ to, value: 1n }));
    // The node loses the last two blocks, as one killed before journaling them and replayed: our nonce is now ahead of it.
    await chain.provider.send('evm_revert', [before]);

    const hash = await sender.send({ to, value: 1n });

    expect((await chain.provider.waitForTransaction(hash))?.status).toBe(1);
  });

  it('signs EIP-712 typed data with its wallet, without sending anything; an EIP712Domain among the types is left to ethers', async () => {
    const sender = new TxSender(chain.treasury, { attempts: 1, initialDelayMs: 10, maxDelayMs: 10 });
    const domain = { name: 'MNEE', version: '1', chainId: 31337, verifyingContract: chain.deployment.token.address };
    const value = { authorizer: chain.treasury.address, nonce: `0x${'ab'.repeat(32)}` };
    const nonceBefore = await chain.provider.getTransactionCount(chain.treasury.address, 'pending');

    const signature = await sender.signTypedData(
      domain,
      { EIP712Domain: [{ name: 'name', type: 'string' }], ...CANCEL_AUTHORIZATION_TYPES },
      value,
    );

    expect(verifyTypedData(domain, CANCEL_AUTHORIZATION_TYPES, value, signature)).toBe(chain.treasury.address);
    expect(await chain.provider.getTransactionCount(chain.treasury.address, 'pending')).toBe(nonceBefore);
  });
});
