import type { PaymentRequired, PaymentRequirements } from '@x402/core/types';
import { chooseOffer } from './x402-offer';

const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const PAY_TO = '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc';
const chain = { network: 'eip155:31337', token: { address: TOKEN, decimals: 18 } };
const offer = (extra: Record<string, unknown>): PaymentRequirements => ({
  scheme: 'exact',
  network: 'eip155:31337',
  asset: TOKEN,
  amount: '20000000000000000',
  payTo: PAY_TO,
  maxTimeoutSeconds: 60,
  extra,
});
const required = (accepts: PaymentRequirements[]): PaymentRequired => ({
  x402Version: 2,
  resource: { url: 'http://127.0.0.1:8010/weather', description: 'weather', mimeType: 'application/json' },
  accepts,
});
const eip3009 = offer({ name: 'MNEE (local)', version: '1' });
const permit2 = offer({ assetTransferMethod: 'permit2' });

describe('chooseOffer: the offer of a 402 the treasury pays', () => {
  it('takes the ERC-3009 offer when the Permit2 one comes first', () => {
    expect(chooseOffer(required([permit2, eip3009]), chain, PAY_TO)).toEqual({
      ok: true,
      accepted: eip3009,
      resource: required([]).resource,
      price: '0.02',
    });
  });

  it('refuses an API that offers MNEE only through Permit2, before anything is held', () => {
    expect(chooseOffer(required([permit2]), chain, PAY_TO)).toEqual({
      ok: false,
      why: 'it offers MNEE only through Permit2, and the treasury pays by ERC-3009 authorizations only',
    });
  });
});
