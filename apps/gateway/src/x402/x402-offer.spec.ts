import type { PaymentRequired, PaymentRequirements } from '@x402/core/types';
import { chooseOffer, type PayingChain } from './x402-offer';

const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const PAY_TO = '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc';
const chain: PayingChain = { network: 'eip155:31337', token: { address: TOKEN, decimals: 18 } };

const offer = (overrides: Partial<PaymentRequirements> = {}): PaymentRequirements => ({
  scheme: 'exact',
  network: 'eip155:31337',
  asset: TOKEN.toLowerCase(),
  amount: '20000000000000000',
  payTo: PAY_TO,
  maxTimeoutSeconds: 60,
  extra: { name: 'MNEE', version: '1' },
  ...overrides,
});
const required = (...accepts: PaymentRequirements[]): PaymentRequired => ({
  x402Version: 2,
  resource: { url: 'http://127.0.0.1:8010/weather' },
  accepts,
});

describe('choosing the offer of a 402 answer the treasury can pay', () => {
  it('takes the exact offer in MNEE on our chain to the configured payTo, priced in MNEE', () => {
    const usdc = offer({ asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913', network: 'eip155:8453' });
    const choice = chooseOffer(required(usdc, offer()), chain, PAY_TO.toLowerCase());
    expect(choice).toEqual({ ok: true, accepted: offer(), resource: { url: 'http://127.0.0.1:8010/weather' }, price: '0.02' });
  });

  it('takes the ERC-3009 offer when the API offers the Permit2 path of exact first', () => {
    const permit2 = offer({ extra: { name: 'MNEE', version: '1', assetTransferMethod: 'permit2' } });
    const choice = chooseOffer(required(permit2, offer()), chain, PAY_TO);
    expect(choice).toMatchObject({ ok: true, accepted: offer() });
    expect(chooseOffer(required(permit2), chain, PAY_TO)).toEqual({ ok: false, why: expect.stringContaining('only through Permit2') });
  });

  it.each([
    ['another version', { ...required(offer()), x402Version: 1 }, 'version 1'],
    ['no exact offer on our chain', required(offer({ network: 'eip155:8453' })), 'no exact payment in MNEE on eip155:31337'],
    ['another scheme', required(offer({ scheme: 'upto' })), 'no exact payment'],
    ['another token', required(offer({ asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913' })), 'no exact payment'],
    ['another payee', required(offer({ payTo: '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65' })), 'not to 0x9965'],
    ['a zero amount', required(offer({ amount: '0' })), 'not a positive whole number'],
    ['an amount that is not a number', required(offer({ amount: '1e18' })), 'not a positive whole number'],
    ['an amount finer than the ledger', required(offer({ amount: '20000000000000001' })), "finer than the ledger's"],
  ])('refuses %s, saying why', (_name, answer, why) => {
    const choice = chooseOffer(answer as PaymentRequired, chain, PAY_TO);
    expect(choice).toEqual({ ok: false, why: expect.stringContaining(why) });
  });
});
