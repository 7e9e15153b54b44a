import type { X402Observed } from '../report';

export const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
export const PAYEE = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';
export const E18 = 10n ** 18n;
export const PRICE = 5n * 10n ** 16n; // 0.05 MNEE
export const API_PRICE = 2n * 10n ** 16n; // 0.02 MNEE
export const API_PAY_TO = '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc';

/** A run of npm run demo:x402 where everything went as expected, for the report and rendering specs. */
export const goodRun = (): X402Observed => ({
  decimals: 18,
  network: 'eip155:31337',
  token: TOKEN,
  payer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  fundTx: `0x${'1'.repeat(64)}`,
  funded: E18,
  offer: { scheme: 'exact', network: 'eip155:31337', asset: TOKEN.toLowerCase(), payTo: PAYEE, amount: PRICE },
  paid: { status: 200, base: 'ETH', price: '3120.45', transaction: `0x${'a'.repeat(64)}`, success: true },
  balances: { payer: { before: E18, after: E18 - PRICE }, payee: { before: 12n * E18, after: 12n * E18 + PRICE } },
  replay: { status: 402, offered: true, payerAfter: E18 - PRICE, payeeAfter: 12n * E18 + PRICE },
  api: {
    serviceId: 'EXT_WEATHER',
    url: 'http://127.0.0.1:8010/weather',
    payTo: API_PAY_TO,
    treasury: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    price: API_PRICE,
    paid: {
      status: 200,
      action: 'ALLOWED',
      reason: 'WITHIN_POLICY',
      amount: '0.02',
      payment: { status: 'SUCCESS', txHash: `0x${'b'.repeat(64)}` },
      result: { city: 'Paris', forecast: 'sunny', celsius: 21 },
    },
    balances: { treasury: { before: 900n * E18, after: 900n * E18 - API_PRICE }, payTo: { before: 0n, after: API_PRICE } },
    aboveMax: { status: 200, action: 'REJECTED', reason: 'PRICE_ABOVE_MAX', amount: '0.11', payment: null, result: null, moved: false },
  },
});
