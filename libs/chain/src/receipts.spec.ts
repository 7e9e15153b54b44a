import type { Provider } from 'ethers';
import { ReceiptTimeoutError, waitForReceipt } from './receipts';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8545'), { code: 'ECONNREFUSED' });
const providerFailingWith = (error: () => Error) => ({ getTransactionReceipt: () => Promise.reject(error()) }) as unknown as Provider;

describe('waitForReceipt', () => {
  it('ends early when the node refuses every connection: it is down, and the caller can say so instead of timing out', async () => {
    const started = Date.now();
    await expect(
      waitForReceipt(providerFailingWith(refused), '0xabc', { confirmations: 1, timeoutMs: 30_000, pollMs: 20, refusedMs: 300 }),
    ).rejects.toBeInstanceOf(ReceiptTimeoutError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('rides out a slow node until the deadline', async () => {
    const slow = () => Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' });
    const started = Date.now();
    await expect(
      waitForReceipt(providerFailingWith(slow), '0xabc', { confirmations: 1, timeoutMs: 600, pollMs: 20, refusedMs: 100 }),
    ).rejects.toBeInstanceOf(ReceiptTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
  });

  it('ends as soon as a node that was down comes back without the transaction', async () => {
    let calls = 0;
    const provider = {
      getTransactionReceipt: () => (calls++ === 0 ? Promise.reject(refused()) : Promise.resolve(null)),
      getTransaction: () => Promise.resolve(null),
    } as unknown as Provider;
    const started = Date.now();
    await expect(waitForReceipt(provider, '0xabc', { confirmations: 1, timeoutMs: 30_000, pollMs: 20 })).rejects.toBeInstanceOf(
      ReceiptTimeoutError,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
