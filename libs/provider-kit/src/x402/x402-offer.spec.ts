import { JsonRpcProvider } from 'ethers';
import { startTestChain, type TestChain } from '@nexus/chain/testing';
import { offersFor, readX402Offer, requirementsMatching } from './x402-offer';

jest.setTimeout(60_000);

const PAY_TO = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const PRICE = 50_000n; // 0.05 MNEE in ledger units

/**
 * What a provider offers over x402 for its token: both paths of `exact` for a
 * token with an EIP-712 domain (the stand-in MNEE), the Permit2 path only for
 * one without (the real MNEE has none: docs/x402.md, "Which path a real
 * network uses").
 */
describe("a provider's x402 offer, by what its token can take", () => {
  let chain: TestChain;
  beforeAll(async () => {
    chain = await startTestChain();
  });
  afterAll(() => chain?.stop());

  const read = (tokenAddress: string) =>
    readX402Offer({
      provider: chain.provider,
      chainId: chain.deployment.chainId,
      token: { address: tokenAddress, decimals: 18 },
      payTo: PAY_TO,
    });

  it('offers ERC-3009 first, then Permit2, for a token with an EIP-712 domain', async () => {
    const offer = await read(chain.deployment.token.address);
    expect(offer.domain).toEqual({ name: expect.any(String), version: expect.any(String) });
    expect(offersFor(offer, PRICE).map((requirement) => requirement.extra)).toEqual([
      { name: offer.domain?.name, version: offer.domain?.version },
      { assetTransferMethod: 'permit2' },
    ]);
  });

  it('offers the Permit2 path only for a token without one, and matches every payload to it', async () => {
    // the router is a contract without eip712Domain(): the call reverts, as on the real MNEE
    const offer = await read(chain.deployment.router);
    expect(offer.domain).toBeNull();
    const offers = offersFor(offer, PRICE);
    expect(offers).toEqual([
      expect.objectContaining({ amount: '50000000000000000', payTo: PAY_TO, extra: { assetTransferMethod: 'permit2' } }),
    ]);
    expect(requirementsMatching(offer, PRICE, { extra: { name: 'MNEE', version: '1' } })).toEqual(offers[0]);
  });

  it('throws when the chain does not answer, rather than guess', async () => {
    const silent = new JsonRpcProvider('http://127.0.0.1:1', 31337, { staticNetwork: true });
    try {
      await expect(
        readX402Offer({
          provider: silent,
          chainId: 31337,
          token: { address: chain.deployment.token.address, decimals: 18 },
          payTo: PAY_TO,
        }),
      ).rejects.toThrow();
    } finally {
      silent.destroy();
    }
  });
});
