import { join } from 'node:path';
import { Wallet } from 'ethers';
import { readDeployment, x402PayerSigner } from '@nexus/chain';
import { waitFor } from '@nexus/service-kit/testing';
import { decodePaymentResponseHeader, wrapFetchWithPayment, x402Client } from '@x402/fetch';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { chainBalances, onChainUnits } from './support/chain-balances';
import { GatewayApi } from './support/gateway-api';
import { startStack, type RunningStack } from './support/stack-process';
import { stackFixture, type StackFixture } from './support/stack-settings';
import { runTool } from './support/tool-command';

/**
 * x402 v2 into our providers (docs/x402.md): a third party with a wallet funded by
 * `npm run fund` pays PRICE_ORACLE with an unmodified `@x402/fetch` client, against a
 * stack started by `npm start` in chain mode; the money moves on chain by exactly the
 * price, the replay is refused and `npm run reconcile` agrees. And the other way:
 * `npm run demo:x402` serves a third party's x402 API and user-agent pays it through the
 * gateway, under its policy.
 */

jest.setTimeout(240_000);

const PAYMENT_SIGNATURE = 'payment-signature';
const NETWORK = 'eip155:31337';

let fixture: StackFixture;
let stack: RunningStack | undefined;
let api: GatewayApi;
const payer = Wallet.createRandom();
/** every request the x402 client sent, with its headers */
const sent: { url: string; headers: Headers; body: string }[] = [];
/** the settlement transaction of the paid call */
let settledTx = '';

const oracleUrl = () => `http://127.0.0.1:${fixture.settings.env['PRICE_ORACLE_PORT'] ?? ''}/invoke`;
const balances = async (payee: string) =>
  chainBalances(fixture.settings.env['CHAIN_RPC_URL'] ?? '', fixture.settings.dataDir, [payer.address, payee]);

/** the official client, signing with the payer's key, over a fetch that records what it sends */
function payingFetch() {
  const recording: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    sent.push({ url: request.url, headers: new Headers(request.headers), body: await request.clone().text() });
    return fetch(request);
  };
  const scheme = new ExactEvmScheme(x402PayerSigner(payer));
  // the client's own spend controls: it pays the stand-in MNEE (not one of its default assets), at most 1 MNEE a payment
  const deployment = readDeployment(join(fixture.settings.dataDir, 'chain', 'deployment.json'));
  if (!deployment) throw new Error('no deployment recorded');
  const client = x402Client.fromConfig({
    schemes: [{ network: NETWORK, client: scheme }],
    spendControls: {
      allowedAssets: [{ network: NETWORK, asset: deployment.token.address, maxAmountPerPayment: onChainUnits('1').toString() }],
    },
  });
  return wrapFetchWithPayment(recording, client);
}

beforeAll(async () => {
  fixture = await stackFixture('sqlite', 'batch');
  stack = await startStack(fixture.settings);
  api = GatewayApi.fromEnvFile(stack.gatewayUrl, stack.fileEnv);
  const funded = await runTool('fund', fixture.settings, [payer.address, '5']);
  if (funded.code !== 0) throw new Error(`npm run fund failed: ${funded.stderr || funded.stdout}`);
});

afterAll(async () => {
  await stack?.stop();
  await fixture?.cleanup();
});

describe('x402 v2 into our providers', () => {
  it('lets an unmodified @x402/fetch client pay PRICE_ORACLE and get the price; the tokens move by exactly the price', async () => {
    const service = await api.service('PRICE_ORACLE');
    const price = service.variants.find((variant) => variant.id === service.defaultVariant)?.price ?? '';
    const before = await balances(service.payee);

    const response = await payingFetch()(oracleUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: { base: 'ETH' } }),
    });
    const body = (await response.json()) as { result?: { base?: string; price?: string } };
    expect(response.status).toBe(200);
    expect(body.result).toMatchObject({ base: 'ETH', price: expect.stringMatching(/^\d+(\.\d+)?$/) });
    const settled = decodePaymentResponseHeader(response.headers.get('payment-response') ?? '');
    expect(settled).toMatchObject({ success: true, network: NETWORK, transaction: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    settledTx = settled.transaction;

    const after = await balances(service.payee);
    const moved = onChainUnits(price);
    expect(after.get(payer.address.toLowerCase())).toBe((before.get(payer.address.toLowerCase()) ?? 0n) - moved);
    expect(after.get(service.payee.toLowerCase())).toBe((before.get(service.payee.toLowerCase()) ?? 0n) + moved);
  });

  it('refuses the same payment sent again, and moves nothing', async () => {
    const paid = sent.find((request) => request.headers.has(PAYMENT_SIGNATURE));
    if (paid === undefined) throw new Error('the client sent no PAYMENT-SIGNATURE');
    const service = await api.service('PRICE_ORACLE');
    const before = await balances(service.payee);

    const replay = await fetch(paid.url, { method: 'POST', headers: paid.headers, body: paid.body });
    expect(replay.status).toBe(402);
    expect(replay.headers.get('payment-required')).toBeTruthy();
    expect(await balances(service.payee)).toEqual(before);
  });

  it('npm run demo:x402 shows both ways: a wallet pays PRICE_ORACLE with @x402/fetch, and user-agent pays the x402 API EXT_WEATHER', async () => {
    const run = await runTool('x402-demo', fixture.settings);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^price {5}ETH = \d+(\.\d+)?$/m);
    expect(run.stdout).toMatch(/^settled {3}tx 0x[0-9a-f]{64}$/m);
    expect(run.stdout).toMatch(/^paid {6}200 ALLOWED 0\.02 MNEE, payment SUCCESS, tx 0x[0-9a-f]{64}$/m);
    expect(run.stdout).toMatch(/^above max 200 REJECTED PRICE_ABOVE_MAX/m);
    expect(run.stdout).toMatch(/all 10 checks passed/);
    // the agent's payment is in the ledger as an x402-out payment of EXT_WEATHER, served
    const ledger = await api.transactions();
    expect(ledger.filter((payment) => payment.serviceId === 'EXT_WEATHER')).toMatchObject([{ status: 'SUCCESS', mode: 'chain' }]);
  });

  it('is in the ledger, and npm run reconcile agrees with the chain', async () => {
    const ledger = await api.transactions();
    expect(ledger.filter((payment) => payment.txHash === settledTx)).toMatchObject([{ status: 'SUCCESS', mode: 'chain' }]);
    // the audit trail catches up in the background: wait until the books agree
    const report = await waitFor(
      'npm run reconcile to agree',
      async () => {
        const run = await runTool('reconcile', fixture.settings, ['--json']);
        type Checks = { id: string; status: string; counts: Record<string, Record<string, number>> }[];
        return run.code === 0 ? (JSON.parse(run.stdout) as { status: string; checks: Checks }) : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, retryOnError: true },
    );
    expect(report.status).toBe('AGREE');
    expect(report.checks.filter((check) => check.status !== 'PASS')).toEqual([]);
    // ledger ↔ token: each x402 row has its AuthorizationUsed and Transfer, and no settlement to our payees is missing from the ledger
    const token = report.checks.find((check) => check.id === 'x402-chain');
    expect(token?.status).toBe('PASS');
    // PRICE_ORACLE's x402 payments in, and the agent's x402-out payment to EXT_WEATHER
    expect(token?.counts['ledger']?.['x402']).toBeGreaterThanOrEqual(2);
    expect(token?.counts['chain']?.['authorizations']).toBe(token?.counts['ledger']?.['x402']);
  });
});
