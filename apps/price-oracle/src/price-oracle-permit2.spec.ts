import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MaxUint256, Wallet, parseUnits } from 'ethers';
import { decodePaymentRequiredHeader } from '@x402/core/http';
import { decodePaymentResponseHeader, wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { MNEEToken__factory, PERMIT2_ADDRESS, permit2NonceHex, x402PayerSigner } from '@nexus/chain';
import { useProviderUnderTest } from '@nexus/provider-kit/testing';
import { InvokeResponse, PriceAnswer } from '@nexus/types';
import { priceOracleBuilder } from './build-price-oracle';

const NETWORK = 'eip155:31337';
const PAYMENT_SIGNATURE = 'payment-signature';
const mnee = (amount: string) => parseUnits(amount, 18);

/**
 * The Permit2 path of x402's `exact` into PRICE_ORACLE, on a real Hardhat node
 * with the real payment service as facilitator: the payer's wallet approved
 * Permit2 once (a plain `approve`), and an unmodified `@x402/fetch` client,
 * told by a policy to take the Permit2 offer, pays the price.
 */
describe('PRICE_ORACLE paid over x402 through Permit2 by an unmodified @x402/fetch client', () => {
  const provider = useProviderUnderTest(priceOracleBuilder(), { serviceId: 'PRICE_ORACLE', mode: 'chain', timeoutMs: 120_000 });
  const chain = () => provider.network.chain!;
  const token = () => MNEEToken__factory.connect(chain().deployment.token.address, chain().provider);
  const payer = Wallet.createRandom();
  let server: Server;
  let url = '';
  /** what the client sent, with its headers */
  const sent: { headers: Headers; body: string }[] = [];

  beforeAll(async () => {
    server = provider.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/invoke`;
    const funder = chain().treasury;
    await (await token().connect(funder).transfer(payer.address, mnee('1'))).wait();
    await (await funder.sendTransaction({ to: payer.address, value: parseUnits('0.1', 18) })).wait();
    // the payer's one-time approval of Permit2 for the token: what the real MNEE needs
    await (await token().connect(payer.connect(chain().provider)).approve(PERMIT2_ADDRESS, MaxUint256)).wait();
  }, 60_000);
  afterAll(async () => new Promise<void>((resolve) => server?.close(() => resolve())));

  const payingFetch = () => {
    const recording: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      sent.push({ headers: new Headers(request.headers), body: await request.clone().text() });
      return fetch(request);
    };
    const client = x402Client
      .fromConfig({
        schemes: [{ network: NETWORK, client: new ExactEvmScheme(x402PayerSigner(payer)) }],
        spendControls: {
          allowedAssets: [{ network: NETWORK, asset: chain().deployment.token.address, maxAmountPerPayment: mnee('1').toString() }],
        },
      })
      // the client's own policy: pay through Permit2 when offered
      .registerPolicy((_version, offers) => offers.filter((offer) => offer.extra?.['assetTransferMethod'] === 'permit2'));
    return wrapFetchWithPayment(recording, client);
  };

  it('offers the Permit2 path after the ERC-3009 one, same price, asset and payee', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"input":{"base":"ETH"}}',
    });
    expect(response.status).toBe(402);
    const [eip3009, permit2] = decodePaymentRequiredHeader(response.headers.get('payment-required') ?? '').accepts;
    expect(eip3009?.extra).toMatchObject({ name: expect.any(String), version: '1' });
    expect(permit2).toEqual({ ...eip3009, extra: { assetTransferMethod: 'permit2' } });
  });

  it('is paid exactly the price, settled through the x402 proxy; one ledger row with the Permit2 nonce', async () => {
    const payee = provider.quote.payee;
    const price = mnee('0.05');
    const [payerBefore, payeeBefore] = await Promise.all([token().balanceOf(payer.address), token().balanceOf(payee)]);

    const response = await payingFetch()(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ variant: 'query', input: { base: 'ETH' } }),
    });

    expect(response.status).toBe(200);
    const answer = InvokeResponse.parse(await response.json());
    expect(PriceAnswer.parse(answer.result)).toMatchObject({ base: 'ETH' });
    const settled = decodePaymentResponseHeader(response.headers.get('payment-response') ?? '');
    expect(settled).toMatchObject({ success: true, network: NETWORK, payer: payer.address });
    expect(answer.payment.txHash).toBe(settled.transaction);
    const receipt = await chain().provider.getTransactionReceipt(settled.transaction);
    expect(receipt?.to).toBe('0x402085c248EeA27D92E8b30b2C58ed07f9E20001');
    expect(await token().balanceOf(payer.address)).toBe(payerBefore - price);
    expect(await token().balanceOf(payee)).toBe(payeeBefore + price);

    const paid = sent.find((request) => request.headers.has(PAYMENT_SIGNATURE));
    const payload = JSON.parse(Buffer.from(paid?.headers.get(PAYMENT_SIGNATURE) ?? '', 'base64').toString('utf8'));
    expect(payload.accepted.extra).toEqual({ assetTransferMethod: 'permit2' });
    const ledger = await provider.network.payments.list({ limit: 20 });
    expect(ledger.items.filter((row) => row.txHash === settled.transaction)).toMatchObject([
      {
        method: 'x402',
        status: 'SUCCESS',
        serviceId: 'PRICE_ORACLE',
        payer: payer.address,
        amount: '0.05',
        authorizationNonce: permit2NonceHex(payload.payload.permit2Authorization.nonce),
      },
    ]);
  });

  it('refuses the same payment sent again, and moves nothing', async () => {
    const paid = sent.find((request) => request.headers.has(PAYMENT_SIGNATURE));
    if (!paid) throw new Error('the client sent no PAYMENT-SIGNATURE');
    const before = await token().balanceOf(payer.address);

    const replay = await fetch(url, { method: 'POST', headers: paid.headers, body: paid.body });

    expect(replay.status).toBe(402);
    expect(decodePaymentRequiredHeader(replay.headers.get('payment-required') ?? '').error).toBe('permit2_invalid_nonce');
    expect(await token().balanceOf(payer.address)).toBe(before);
  });
});
