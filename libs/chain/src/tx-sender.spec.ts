import { startTestChain, type TestChain } from './testing/test-chain';
import { localAccount } from './local-accounts';
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
});
