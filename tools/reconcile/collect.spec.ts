import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MNEEPaymentRouter__factory,
  MNEEToken__factory,
  PERMIT2_ADDRESS,
  permit2Domain,
  PERMIT2_WITNESS_TYPES,
  paymentRefOf,
  serviceIdToBytes32,
  writeDeployment,
  X402_EXACT_PERMIT2_PROXY_ADDRESS,
  X402ExactPermit2Proxy__factory,
} from '@nexus/chain';
import { freePort, fundFrontRunner, startTestChain, type TestChain } from '@nexus/chain/testing';
import type { TreasuryView } from '@nexus/types';
import { MaxUint256, parseUnits, type ContractTransactionResponse } from 'ethers';
import { collect } from './collect';
import { collectChain, planChainRead, type ChainPlan } from './collect-chain';
import { reconcile } from './compare';
import { reconcileSettings } from './settings';
import { idOf, parts, world } from './testing/world';

const receiptOf = async (sent: Promise<ContractTransactionResponse>) => {
  const receipt = await (await sent).wait();
  if (!receipt) throw new Error('no receipt');
  return receipt;
};

describe('reconcile collection', () => {
  describe('of the chain, from a real Hardhat node', () => {
    let chain: TestChain;
    let deploymentFile: string;
    let paid: { ref: string; txHash: string }[];
    let refundTx: string;

    const treasuryView = (overrides: Partial<TreasuryView> = {}): TreasuryView => ({
      mode: 'chain',
      address: chain.treasury.address,
      chainId: chain.deployment.chainId,
      router: chain.deployment.router,
      token: { address: chain.deployment.token.address, symbol: 'MNEE', decimals: 18 },
      balance: null,
      allowance: null,
      ledger: {
        PENDING: { count: 0, amount: '0.00' },
        SUCCESS: { count: 0, amount: '0.00' },
        FAILED: { count: 0, amount: '0.00' },
        MOCK: { count: 0, amount: '0.00' },
        REFUNDED: { count: 0, amount: '0.00' },
      },
      ...overrides,
    });

    beforeAll(async () => {
      chain = await startTestChain();
      deploymentFile = join(mkdtempSync(join(tmpdir(), 'reconcile-')), 'deployment.json');
      writeDeployment(deploymentFile, chain.deployment);
      const router = (signer = chain.treasury) => MNEEPaymentRouter__factory.connect(chain.deployment.router, signer);
      const payee = chain.payees[0];
      if (!payee) throw new Error('a payee expected');
      paid = [];
      for (const [n, amount] of [
        [1, '0.05'],
        [2, '0.50'],
      ] as const) {
        const ref = paymentRefOf(idOf('pay', n));
        const receipt = await receiptOf(router().pay(payee.address, parseUnits(amount, 18), serviceIdToBytes32('PRICE_ORACLE'), ref));
        paid.push({ ref, txHash: receipt.hash });
      }
      refundTx = (await receiptOf(router(payee).refund(chain.treasury.address, paymentRefOf(idOf('pay', 2))))).hash;
    }, 120_000);
    afterAll(() => chain?.stop());

    const plan = (notes: string[] = []): ChainPlan =>
      planChainRead({ kind: 'local', rpcUrl: chain.node.url, deploymentFile }, treasuryView(), undefined, notes);

    it('reads every PaymentMade and PaymentRefunded of the router from its deployment block, with their transactions', async () => {
      const snapshot = await collectChain(plan());
      expect(snapshot).toMatchObject({
        chainId: 31337,
        router: chain.deployment.router,
        treasury: chain.treasury.address,
        fromBlock: chain.deployment.blockNumber,
        deployedAt: chain.deployment.deployedAt,
      });
      expect(snapshot.payments.map((p) => [p.paymentRef, p.txHash, p.amount, p.serviceId, p.payer])).toEqual([
        [paid[0]?.ref, paid[0]?.txHash, parseUnits('0.05', 18), 'PRICE_ORACLE', chain.treasury.address],
        [paid[1]?.ref, paid[1]?.txHash, parseUnits('0.50', 18), 'PRICE_ORACLE', chain.treasury.address],
      ]);
      expect(snapshot.refunds.map((r) => [r.paymentRef, r.txHash, r.amount])).toEqual([[paid[1]?.ref, refundTx, parseUnits('0.50', 18)]]);
      expect(snapshot.toBlock).toBeGreaterThanOrEqual(snapshot.fromBlock);
    });

    it('agrees with a ledger that paid exactly those, and names the one it did not', async () => {
      const snapshots = world([{ outcome: 'served' }, { outcome: 'refunded', amount: '0.50' }]);
      const { ledger } = parts(snapshots);
      const payee = chain.payees[0]?.address ?? '';
      ledger.payments.forEach((payment, index) => {
        Object.assign(payment, { payee, txHash: paid[index]?.txHash ?? null });
        if (payment.refund) payment.refund.txHash = refundTx;
      });
      snapshots.chain = await collectChain(plan());
      expect(reconcile(snapshots).checks[0]).toMatchObject({ id: 'ledger-chain', status: 'PASS', amounts: { chain: { net: '0.05' } } });

      ledger.payments.pop();
      expect(reconcile(snapshots).discrepancies.map((d) => d.kind)).toContain('PAYMENT_NOT_IN_LEDGER');
    });

    it('reads a Permit2 settlement of the x402 proxy: its Settled and the Transfer to the payee in the same transaction', async () => {
      const payer = chain.stranger;
      const payee = chain.payees[0]?.address ?? '';
      const token = MNEEToken__factory.connect(chain.deployment.token.address, chain.treasury);
      await (await token.transfer(payer.address, parseUnits('1', 18))).wait();
      await (await token.connect(payer).approve(PERMIT2_ADDRESS, MaxUint256)).wait();
      const block = await chain.provider.getBlock('latest');
      const permit = {
        permitted: { token: chain.deployment.token.address, amount: parseUnits('0.07', 18) },
        nonce: 7n,
        deadline: BigInt((block?.timestamp ?? 0) + 3600),
      };
      const witness = { to: payee, validAfter: 0n };
      const signature = await payer.signTypedData(permit2Domain(31337), PERMIT2_WITNESS_TYPES, {
        ...permit,
        spender: X402_EXACT_PERMIT2_PROXY_ADDRESS,
        witness,
      });
      const proxy = X402ExactPermit2Proxy__factory.connect(X402_EXACT_PERMIT2_PROXY_ADDRESS, chain.treasury);
      const settled = await receiptOf(proxy.settle(permit, payer.address, witness, signature));

      const snapshot = await collectChain({ ...plan(), payees: [payee] });

      expect(snapshot.permit2Settlements).toEqual([
        { txHash: settled.hash, blockNumber: settled.blockNumber, logIndex: expect.any(Number) },
      ]);
      expect(snapshot.transfers.filter((transfer) => transfer.txHash === settled.hash)).toMatchObject([
        { from: payer.address, to: payee, amount: parseUnits('0.07', 18) },
      ]);
      expect(snapshot.authorizations.filter((authorization) => authorization.txHash === settled.hash)).toEqual([]);
    });

    it("skips and counts a malformed router event and another payer's payment under our reference, never throwing", async () => {
      const frontRunner = await fundFrontRunner(chain);
      const router = MNEEPaymentRouter__factory.connect(chain.deployment.router, frontRunner);
      const payee = chain.payees[0]?.address ?? '';
      await receiptOf(router.pay(payee, 1n, `0x${'ff'.repeat(32)}`, paymentRefOf('garbage')));
      await receiptOf(router.pay(payee, 1n, serviceIdToBytes32('PRICE_ORACLE'), paymentRefOf(idOf('pay', 1))));
      const snapshots = world([{ outcome: 'served' }, { outcome: 'refunded', amount: '0.50' }]);
      parts(snapshots).ledger.payments.forEach((payment, index) => {
        Object.assign(payment, { payee, txHash: paid[index]?.txHash ?? null });
        if (payment.refund) payment.refund.txHash = refundTx;
      });

      const snapshot = await collectChain(plan());
      snapshots.chain = snapshot;
      const report = reconcile(snapshots);

      expect(snapshot.malformed).toEqual([expect.objectContaining({ logIndex: expect.any(Number), txHash: expect.any(String) })]);
      expect(report.checks[0]).toMatchObject({
        id: 'ledger-chain',
        status: 'PASS',
        counts: { chain: { payments: 2, foreignEvents: 1, malformedEvents: 1 } },
        amounts: { chain: { net: '0.05' } },
      });
    });

    it('reads from block 0 and says why when the deployment file names another router', () => {
      const notes: string[] = [];
      const other = planChainRead(
        { kind: 'local', rpcUrl: chain.node.url, deploymentFile },
        treasuryView({ router: '0x9999999999999999999999999999999999999999' }),
        undefined,
        notes,
      );
      expect(other).toMatchObject({ fromBlock: 0, deployedAt: null });
      expect(notes).toEqual([expect.stringContaining(`names router ${chain.deployment.router}`)]);
    });

    it('fails clearly when the router has no contract on the node, or the node does not answer', async () => {
      await expect(collectChain({ ...plan(), router: '0x9999999999999999999999999999999999999999' })).rejects.toThrow(
        /there is no contract at the router 0x9999999999999999999999999999999999999999/,
      );
      const closed = `http://127.0.0.1:${await freePort()}`;
      await expect(collectChain({ ...plan(), rpcUrl: closed })).rejects.toThrow(`the node at ${closed} did not answer`);
    });
  });

  it('reports every service it cannot reach as FAILED (exit code 2), naming it, without the token', async () => {
    const port = await freePort();
    const token = 'secret-internal-token-0123456789';
    const settings = reconcileSettings(
      {
        OPERATOR_TOKEN: token,
        POLICY_URL: `http://127.0.0.1:${port}`,
        PAYMENT_URL: `http://127.0.0.1:${port}/`,
        LOGGER_PORT: String(port),
      },
      '/nowhere/.env',
    );
    const report = reconcile(await collect(settings));
    expect(report.exitCode).toBe(2);
    expect(report.sources.map((s) => [s.source, s.status, s.where])).toEqual([
      ['policy', 'FAILED', `http://127.0.0.1:${port}`],
      ['payment', 'FAILED', `http://127.0.0.1:${port}`],
      ['logger', 'FAILED', `http://127.0.0.1:${port}`],
      ['chain', 'SKIPPED', 'http://127.0.0.1:8545'],
    ]);
    expect(report.sources[0]?.detail).toMatch(/policy is unreachable \(ECONNREFUSED\)/);
    expect(report.checks.every((c) => c.status === 'SKIPPED')).toBe(true);
    expect(JSON.stringify(report)).not.toContain(token);
  }, 30_000);
});
