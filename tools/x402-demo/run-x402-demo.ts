import { parseUnits, Wallet } from 'ethers';
import { connectRpc, LOCAL_CHAIN_ID, MNEEToken__factory, readDeployment, x402PayerSigner } from '@nexus/chain';
import { toBaseUnits } from '@nexus/types';
import { decodePaymentRequiredHeader } from '@x402/core/http';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { decodePaymentResponseHeader, wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { FundRefusedError, fundWallet } from '../fund/fund';
import { payX402Api } from './pay-x402-api';
import type { X402Observed } from './report';
import { X402DemoSetupError, type X402DemoSettings } from './settings';

export const NETWORK = `eip155:${LOCAL_CHAIN_ID}`;
/** what the fresh wallet is funded with, in MNEE */
export const FUNDING = '1';
const PAYMENT_SIGNATURE = 'payment-signature';
const REQUEST = { base: 'ETH' };

/** A request as it was sent, to send it again. */
interface Sent {
  url: string;
  headers: Headers;
  body: string;
}

/** POST /invoke for an ETH price, through `send`. */
const invoke = (send: typeof fetch, url: string) =>
  send(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: REQUEST }) });

/**
 * Funds a fresh wallet with 1 MNEE (tools/fund), reads PRICE_ORACLE's 402
 * offer, pays it with the official `@x402/fetch` client, then sends the same
 * payment again; the balances are read straight from the node. Then the other
 * way (pay-x402-api.ts): user-agent pays the stand-in x402 API EXT_WEATHER.
 */
export async function runX402Demo(settings: X402DemoSettings): Promise<X402Observed> {
  const payer = Wallet.createRandom();
  let funded;
  try {
    funded = await fundWallet({
      rpcUrl: settings.rpcUrl,
      deploymentFile: settings.deploymentFile,
      to: payer.address,
      baseUnits: toBaseUnits(FUNDING),
    });
  } catch (error) {
    if (error instanceof FundRefusedError) throw new X402DemoSetupError(`${error.message} (or start the stack with npm start)`);
    throw error;
  }
  const deployment = readDeployment(settings.deploymentFile);
  if (!deployment) throw new X402DemoSetupError(`no local deployment at ${settings.deploymentFile}: start the stack with npm start`);
  const token = deployment.token.address;

  // the offer, as any client first sees it
  let first: Response;
  try {
    first = await invoke(fetch, settings.oracleUrl);
  } catch {
    throw new X402DemoSetupError(`nothing answers at ${settings.oracleUrl}: start the stack with npm start`);
  }
  const offered = first.headers.get('payment-required');
  if (first.status !== 402 || !offered) {
    throw new X402DemoSetupError(
      `PRICE_ORACLE answered ${first.status}${first.status === 402 ? ' without PAYMENT-REQUIRED' : ''} to an unpaid call: ` +
        'x402 needs the stack in chain mode (npm start without PAYMENT_MODE=mock)',
    );
  }
  const exact = decodePaymentRequiredHeader(offered).accepts.find((accept) => accept.scheme === 'exact' && accept.network === NETWORK);
  const offer = exact
    ? { scheme: exact.scheme, network: exact.network, asset: exact.asset, payTo: exact.payTo, amount: BigInt(exact.amount) }
    : null;

  const balancesOf = async (payee: string) => {
    const provider = connectRpc(settings.rpcUrl, LOCAL_CHAIN_ID);
    try {
      const contract = MNEEToken__factory.connect(token, provider);
      return { payer: await contract.balanceOf(payer.address), payee: payee ? await contract.balanceOf(payee) : 0n };
    } finally {
      provider.destroy();
    }
  };
  const payee = offer?.payTo ?? '';
  const before = await balancesOf(payee);

  // the official client, signing with the payer's key, over a fetch that keeps what it sends
  const sent: Sent[] = [];
  const recording: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    sent.push({ url: request.url, headers: new Headers(request.headers), body: await request.clone().text() });
    return fetch(request);
  };
  const scheme = new ExactEvmScheme(x402PayerSigner(payer));
  // its own spend controls: the stand-in MNEE is not one of its default assets; at most the funding a payment
  const client = x402Client.fromConfig({
    schemes: [{ network: NETWORK, client: scheme }],
    spendControls: {
      allowedAssets: [{ network: NETWORK, asset: token, maxAmountPerPayment: parseUnits(FUNDING, funded.decimals).toString() }],
    },
  });
  const response = await invoke(wrapFetchWithPayment(recording, client), settings.oracleUrl);
  const body = (await response.json().catch(() => ({}))) as { result?: { base?: unknown; price?: unknown } };
  const settlement = response.headers.get('payment-response');
  const settled = settlement ? decodePaymentResponseHeader(settlement) : undefined;
  const after = await balancesOf(payee);

  // the same payment again, byte for byte
  const paidRequest = sent.find((request) => request.headers.has(PAYMENT_SIGNATURE));
  const replay = paidRequest
    ? await fetch(paidRequest.url, { method: 'POST', headers: paidRequest.headers, body: paidRequest.body })
    : undefined;
  const afterReplay = await balancesOf(payee);

  // the other way: our agent pays an external x402 API, under its policy
  const api = await payX402Api({ ...settings.api, rpcUrl: settings.rpcUrl, deploymentFile: settings.deploymentFile });

  return {
    decimals: funded.decimals,
    network: NETWORK,
    token,
    payer: payer.address,
    fundTx: funded.txHash,
    funded: funded.minted,
    offer,
    paid: {
      status: response.status,
      base: typeof body.result?.base === 'string' ? body.result.base : null,
      price: typeof body.result?.price === 'string' ? body.result.price : null,
      transaction: settled?.transaction || null,
      success: settled?.success === true,
    },
    balances: { payer: { before: before.payer, after: after.payer }, payee: { before: before.payee, after: after.payee } },
    replay: {
      status: replay?.status ?? 0,
      offered: Boolean(replay?.headers.get('payment-required')),
      payerAfter: afterReplay.payer,
      payeeAfter: afterReplay.payee,
    },
    api,
  };
}
