import type { X402Observed } from '../report';

export const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
export const PAYEE = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';
export const E18 = 10n ** 18n;
export const PRICE = 5n * 10n ** 16n; // 0.05 MNEE

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
});
