import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { LOCAL_CHAIN_ID, rpcChainId } from '@nexus/chain';
import { fromBaseUnits, GatewayHealth, sumMoney, toBaseUnits, type ChatToolCall, type PublicPayment } from '@nexus/types';
import { chainBalances, minedSuccessfully, onChainUnits } from './support/chain-balances';
import type { InvokeOutcome } from '@nexus/clients';
import { GatewayApi } from './support/gateway-api';
import { isAlive, runFileExists, startStack, type RunningStack } from './support/stack-process';
import { stackFixture, type Settlement, type StackFixture, type StoreKind } from './support/stack-settings';
import { runTool } from './support/tool-command';
import { waitFor, type WaitForOptions } from '@nexus/service-kit/testing';

/** The running stack, from outside: a probe that fails (a service restarting) is tried again. */
const POLL: WaitForOptions = { timeoutMs: 30_000, intervalMs: 250, retryOnError: true };
const TX_HASH = /^0x[0-9a-f]{64}$/;
/** The parts of `npm run reconcile -- --json` (tools/reconcile/report.ts) these tests read. */
const ReconcileOutcome = z.object({
  status: z.string(),
  mode: z.string().nullable(),
  checks: z.array(z.object({ id: z.string(), status: z.string() })),
  inFlight: z.array(z.unknown()),
  unchecked: z.array(z.unknown()),
});

/** A served paid call: the decision, and an on-chain payment of its amount for it. */
function expectPaidOnChain(call: Pick<ChatToolCall, 'decision' | 'payment' | 'result'>, action: 'ALLOWED' | 'DOWNGRADED' = 'ALLOWED') {
  expect(call.decision.action).toBe(action);
  expect(call.payment).toMatchObject({ status: 'SUCCESS', mode: 'chain', amount: call.decision.amount, decisionId: call.decision.id });
  expect(call.payment?.txHash).toMatch(TX_HASH);
  expect(call.result).not.toBeNull();
}

/** A call that failed after the policy allowed it: nothing charged in the end (no payment, or a refunded one). */
function expectNothingCharged(outcome: InvokeOutcome, ledger: readonly PublicPayment[]) {
  if (outcome.ok) throw new Error(`expected a failed call, got ${outcome.status}`);
  expect([502, 503, 504]).toContain(outcome.status);
  const payment = outcome.failure.payment && ledger.find((entry) => entry.id === outcome.failure.payment?.id);
  if (payment) expect(payment.status).toBe('REFUNDED');
}

/**
 * The whole stack as a user runs it — `npm start` in chain mode on a fresh
 * directory (a Hardhat node, the contracts, eight services) — driven only
 * through the gateway's public HTTP API, with the chain read directly to
 * check the money, and `npm run reconcile` / `npm run demo` run against it.
 */
export function describeWholeStack(store: StoreKind, settlement: Settlement): void {
  const storeName = store === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const settled = settlement === 'batch' ? 'payments batched (payBatch)' : 'one transaction per payment';
  describe(`the whole stack in chain mode on ${storeName} stores, ${settled}`, () => {
    let fixture: StackFixture;
    let stack: RunningStack | undefined;
    let api: GatewayApi;
    const rpcUrl = () => fixture.settings.env['CHAIN_RPC_URL'] ?? '';
    const payeeOf = async (serviceId: string) => (await api.service(serviceId)).payee.toLowerCase();
    const reconcile = () => runTool('reconcile', fixture.settings, ['--json']);
    /**
     * `npm run reconcile` says the books agree — policy, ledger, logger and
     * chain, every check run, nothing in flight or left unchecked — once the
     * audit trail has caught up (the gateway's outbox delivers in the background).
     */
    const expectBooksAgree = async (timeoutMs = 30_000) => {
      const report = await waitFor(
        'npm run reconcile to agree',
        async () => {
          const run = await reconcile();
          if (run.code !== 0) return undefined;
          // Agreeing with holds or payments still in flight is not the end: wait for them to settle (or expire).
          const outcome = ReconcileOutcome.parse(JSON.parse(run.stdout));
          return outcome.inFlight.length === 0 ? outcome : undefined;
        },
        { ...POLL, timeoutMs },
      ).catch(async (error: unknown) => {
        const last = await reconcile();
        throw new Error(`${error instanceof Error ? error.message : String(error)}\n${last.stdout}\n${last.stderr}`);
      });
      expect(report).toMatchObject({ status: 'AGREE', mode: 'chain', inFlight: [], unchecked: [] });
      expect(report.checks.map((check) => [check.id, check.status])).toEqual([
        ['ledger-chain', 'PASS'],
        ['x402-chain', 'PASS'],
        ['ledger-logger', 'PASS'],
        ['ledger-policy', 'PASS'],
        ['policy-logger', 'PASS'],
      ]);
    };

    beforeAll(async () => {
      fixture = await stackFixture(store, settlement);
      stack = await startStack(fixture.settings);
      api = GatewayApi.fromEnvFile(stack.gatewayUrl, stack.fileEnv);
    });
    afterAll(async () => {
      await stack?.stop();
      await fixture?.cleanup();
    });

    it('comes up from nothing: writes the env file with fresh keys, deploys the contracts, every service healthy', async () => {
      const output = stack?.output.join('\n') ?? '';
      expect(output).toContain(`wrote fresh keys to ${fixture.settings.envFile}`);
      expect(output).toMatch(/deployed MNEE 0x[0-9a-fA-F]{40} and the router 0x[0-9a-fA-F]{40}/);
      expect(stack?.fileEnv['ADMIN_API_KEY']).toMatch(/^[0-9a-f]{48}$/);
      const health = GatewayHealth.parse(await (await fetch(`${stack?.gatewayUrl}/`)).json());
      expect(health).toMatchObject({ status: 'ok', mode: 'chain' });
      expect(
        stack
          ?.runFile()
          .services.map((service) => service.project)
          .sort(),
      ).toEqual(['batch-compute', 'chain', 'gateway', 'image-gen', 'log-archive', 'logger', 'payment', 'policy', 'price-oracle'].sort());
    });

    it('pays an image, a price query and a log archive from one chat; the chain moved by exactly those payments; the books agree', async () => {
      await api.reset();
      const payees = await Promise.all(['IMAGE_GEN', 'PRICE_ORACLE', 'LOG_ARCHIVE'].map(payeeOf));
      const before = await chainBalances(rpcUrl(), fixture.settings.dataDir, payees);
      const statsBefore = await api.stats();

      const turn = await api.chat(
        'user-agent',
        'Draw a lighthouse at dusk, 64x64. Then tell me the price of ETH. Also archive these logs:\nERROR disk full\nINFO started',
      );
      expect(turn.toolCalls.map((call) => call.tool)).toEqual(['generate_image', 'get_price', 'archive_logs']);
      for (const call of turn.toolCalls) expectPaidOnChain(call);
      const payments = turn.toolCalls.flatMap((call) => (call.payment ? [call.payment] : []));
      const total = sumMoney(payments.map((payment) => payment.amount));
      expect(total).toBe('0.85');
      for (const payment of payments) expect(await minedSuccessfully(rpcUrl(), payment.txHash ?? '')).toBe(true);

      const after = await chainBalances(rpcUrl(), fixture.settings.dataDir, payees);
      expect((before.get('treasury') ?? 0n) - (after.get('treasury') ?? 0n)).toBe(onChainUnits(total));
      turn.toolCalls.forEach((call, index) => {
        const payee = payees[index] ?? '';
        expect((after.get(payee) ?? 0n) - (before.get(payee) ?? 0n)).toBe(onChainUnits(call.payment?.amount ?? '0'));
      });
      expect(onChainUnits((await api.treasury()).balance ?? '')).toBe(after.get('treasury'));

      const ledger = await api.transactions({ agentId: 'user-agent' });
      for (const payment of payments)
        expect(ledger.find((entry) => entry.id === payment.id)).toMatchObject({ status: 'SUCCESS', amount: payment.amount });
      const logged = await waitFor(
        'the three decisions in GET /policy/logs',
        async () => {
          const entries = await api.policyLogs({ agentId: 'user-agent' });
          const found = turn.toolCalls.map((call) => entries.find((entry) => entry.id === call.decision.id));
          return found.every(Boolean) ? found : undefined;
        },
        POLL,
      );
      logged.forEach((entry, index) => expect(entry).toMatchObject({ action: 'ALLOWED', amount: turn.toolCalls[index]?.decision.amount }));
      await waitFor(
        'the payments in GET /stats',
        async () => {
          const stats = await api.stats();
          return stats.transactions.successful === statsBefore.transactions.successful + 3 ? stats : undefined;
        },
        POLL,
      );
      const stats = await api.stats();
      expect(stats.spendByAgent['user-agent']).toBe(sumMoney([statsBefore.spendByAgent['user-agent'] ?? '0', total]));
      expect(await api.agent('user-agent')).toMatchObject({ spentToday: total, reserved: '0.00' });
      await expectBooksAgree();
    });

    it("keeps the HIGH reserve from batch-agent's jobs, downgrades ops-agent's archive under budget pressure, and charges each price query", async () => {
      await api.reset();
      const jobs: ChatToolCall[] = [];
      for (const below of [1000, 2000, 3000]) {
        const turn = await api.chat('batch-agent', `run a batch job: count the primes below ${below}`);
        jobs.push(...turn.toolCalls);
      }
      expect(jobs).toHaveLength(3);
      for (const job of jobs.slice(0, 2)) expectPaidOnChain(job);
      expect(jobs[2]).toMatchObject({ reason: 'PRIORITY_RESERVE_EXCEEDED', payment: null, result: null });
      const image = await api.chat('user-agent', 'draw a lighthouse at dusk, 64x64');
      expect(image.toolCalls).toHaveLength(1);
      for (const call of image.toolCalls) expectPaidOnChain(call);

      const archives: ChatToolCall[] = [];
      for (let turn = 0; turn < 3; turn++) {
        archives.push(...(await api.chat('ops-agent', 'archive these logs:\nERROR disk full\nWARN slow response\nINFO started')).toolCalls);
      }
      expect(archives.map((call) => [call.decision.action, call.variant, call.amount])).toEqual([
        ['ALLOWED', 'full', '0.30'],
        ['ALLOWED', 'full', '0.30'],
        ['DOWNGRADED', 'summary', '0.05'],
      ]);
      const [, , summary] = archives;
      if (!summary) throw new Error('three archives expected');
      expect(summary.reason).toBe('BUDGET_PRESSURE_DOWNGRADE');
      expectPaidOnChain(summary, 'DOWNGRADED');

      const userBefore = await api.agent('user-agent');
      const prices = (await api.chat('user-agent', 'what is the price of ETH, BTC and SOL?')).toolCalls;
      expect(prices).toHaveLength(3);
      for (const call of prices) expectPaidOnChain(call);
      expect(new Set(prices.map((call) => call.payment?.txHash)).size).toBe(3);
      expect((await api.agent('user-agent')).spentToday).toBe(sumMoney([userBefore.spentToday, '0.05', '0.05', '0.05']));
      expect(await api.agent('batch-agent')).toMatchObject({ spentToday: '3.00', reserved: '0.00' });
      expect(await api.agent('ops-agent')).toMatchObject({ spentToday: '0.65', reserved: '0.00' });
    });

    it('never overspends under 200 concurrent invokes over one budget, and a rejected call has no payment', async () => {
      await api.reset();
      const budget = (await api.agent('ops-agent')).dailyBudget;
      const treasuryBefore = (await chainBalances(rpcUrl(), fixture.settings.dataDir, [])).get('treasury') ?? 0n;
      const outcomes = await Promise.all(Array.from({ length: 200 }, () => api.invoke('ops-agent', 'PRICE_ORACLE', { base: 'ETH' })));
      const answers = outcomes.map((outcome) => {
        if (!outcome.ok) throw new Error(`invoke failed: ${outcome.status} ${JSON.stringify(outcome.failure.error)}`);
        return outcome.answer;
      });
      const served = answers.filter((answer) => answer.decision.action === 'ALLOWED');
      const rejected = answers.filter((answer) => answer.decision.action === 'REJECTED');
      expect(served.length + rejected.length).toBe(200);
      expect(sumMoney(served.map((answer) => answer.payment?.amount ?? '0'))).toBe(budget);
      for (const answer of served) expectPaidOnChain(answer);
      for (const answer of rejected)
        expect(answer).toMatchObject({ payment: null, result: null, decision: { reason: 'DAILY_BUDGET_EXCEEDED' } });
      expect(await api.agent('ops-agent')).toMatchObject({ spentToday: budget, reserved: '0.00', remaining: '0.00' });

      const ledger = await api.transactions({ agentId: 'ops-agent', serviceId: 'PRICE_ORACLE' });
      const rejectedIds = new Set(rejected.map((answer) => answer.decision.id));
      expect(ledger.filter((payment) => rejectedIds.has(payment.decisionId))).toEqual([]);
      for (const answer of served) expect(ledger.filter((payment) => payment.decisionId === answer.decision.id)).toHaveLength(1);
      const treasuryAfter = (await chainBalances(rpcUrl(), fixture.settings.dataDir, [])).get('treasury') ?? 0n;
      expect(treasuryBefore - treasuryAfter).toBe(onChainUnits(budget));
      await expectBooksAgree();
    });

    it('survives kill -9 of a provider: a call made while it is down is not paid (its precheck fails), the launcher starts it again, the books agree', async () => {
      if (!stack) throw new Error('no stack');
      await api.reset();
      const treasuryBefore = (await chainBalances(rpcUrl(), fixture.settings.dataDir, [])).get('treasury') ?? 0n;
      const killed = stack.kill('image-gen');
      const whileDown = await api.invoke('user-agent', 'IMAGE_GEN', { prompt: 'a red fox', width: 32, height: 32 });
      expectNothingCharged(whileDown, await api.transactions({ agentId: 'user-agent' }));
      // The provider's free precheck could not be reached: the hold was released before anything was paid.
      expect(whileDown.ok ? 'served' : whileDown.failure.payment).toBeNull();
      expect((await chainBalances(rpcUrl(), fixture.settings.dataDir, [])).get('treasury')).toBe(treasuryBefore);

      // Calls in flight when it dies again: each is served and paid, or not charged.
      const running = stack;
      const burst = Promise.all(
        Array.from({ length: 6 }, (_, index) => api.invoke('user-agent', 'IMAGE_GEN', { prompt: `a fox ${index}`, width: 32, height: 32 })),
      );
      await running.restarted('image-gen', killed);
      const killedAgain = running.kill('image-gen');
      const outcomes = await burst;
      const ledger = await api.transactions({ agentId: 'user-agent' });
      const charged: string[] = [];
      for (const outcome of outcomes) {
        if (outcome.ok) {
          expectPaidOnChain(outcome.answer);
          charged.push(outcome.answer.payment?.amount ?? '0');
        } else expectNothingCharged(outcome, ledger);
      }
      expect((await api.agent('user-agent')).spentToday).toBe(sumMoney(charged));
      const treasuryAfter = (await chainBalances(rpcUrl(), fixture.settings.dataDir, [])).get('treasury') ?? 0n;
      expect(treasuryBefore - treasuryAfter).toBe(onChainUnits(sumMoney(charged)));

      await running.restarted('image-gen', killedAgain);
      const afterRestart = await api.invoke('user-agent', 'IMAGE_GEN', { prompt: 'a fox, home again', width: 32, height: 32 });
      if (!afterRestart.ok) throw new Error(`after the restart: ${afterRestart.status}`);
      expectPaidOnChain(afterRestart.answer);
      expect(running.runFile().services.find((service) => service.project === 'image-gen')?.restarts).toBeGreaterThanOrEqual(2);
      await expectBooksAgree();
    });

    it('plays the demo against it: the three coordination problems with tx hashes and budgets, an approval and the alerts', async () => {
      const demo = await runTool('demo', fixture.settings);
      expect(demo).toMatchObject({ code: 0, stderr: '' });
      expect(demo.stdout).toContain('PRIORITY_RESERVE_EXCEEDED');
      expect(demo.stdout).toContain('BUDGET_PRESSURE_DOWNGRADE');
      expect(demo.stdout).toMatch(/0x[0-9a-f]{64}/);
      expect(demo.stdout).toContain('admin approves > COMPLETED');
      expect(demo.stdout).toMatch(/WARNING budget_threshold ops-agent daily \d+%/);
      await expectBooksAgree();
    });

    it('stops cleanly on Ctrl-C and a second run over the same data keeps budgets, transactions, logs and the chain', async () => {
      if (!stack) throw new Error('no stack');
      // Paid right before Ctrl-C: its block must still reach the chain's journal.
      const lastCall = await api.invoke('user-agent', 'PRICE_ORACLE', { base: 'SOL' });
      if (!lastCall.ok) throw new Error(`the last call before Ctrl-C failed: ${lastCall.status}`);
      const agents = await Promise.all(['user-agent', 'batch-agent', 'ops-agent'].map((id) => api.agent(id)));
      const transactions = await api.transactions();
      const logs = await api.policyLogs();
      const stats = await api.stats();
      const treasury = (await api.treasury()).balance;
      const pids = [stack.runFile().pid, ...stack.runFile().services.flatMap((service) => (service.pid ? [service.pid] : []))];

      const printedBefore = stack.output.length;
      expect(await stack.stop()).toBe(0);
      expect(pids.filter(isAlive)).toEqual([]);
      // The gateway (which calls everyone) stopped before the services it calls were asked to.
      const stopping = stack.output.slice(printedBefore);
      const gatewayStopped = stopping.findIndex((line) => /^\[gateway\s*\].*"message":"stopped"/.test(line));
      const coreAsked = stopping.findIndex((line) => /^\[(policy|payment|logger)\s*\].*"message":"shutting down"/.test(line));
      expect(gatewayStopped).toBeGreaterThanOrEqual(0);
      expect(gatewayStopped).toBeLessThan(coreAsked);
      expect(stopping.at(-1)).toBe('stack stopped');
      expect(runFileExists(fixture.settings.dataDir)).toBe(false);

      stack = await startStack(fixture.settings);
      const output = stack.output.join('\n');
      expect(output).toContain(`using keys from ${fixture.settings.envFile}`);
      expect(output).toMatch(/replayed \d+ recorded blocks/);
      expect(output).toMatch(/found MNEE 0x[0-9a-fA-F]{40}/);
      expect(await Promise.all(['user-agent', 'batch-agent', 'ops-agent'].map((id) => api.agent(id)))).toEqual(agents);
      expect(await api.transactions()).toEqual(transactions);
      expect(await api.policyLogs()).toEqual(logs);
      expect(await api.stats()).toEqual(stats);
      expect((await api.treasury()).balance).toBe(treasury);
      const first = transactions.at(-1);
      expect(await minedSuccessfully(rpcUrl(), first?.txHash ?? '')).toBe(true);
      expect(await minedSuccessfully(rpcUrl(), lastCall.answer.payment?.txHash ?? '')).toBe(true);

      const again = await api.invoke('user-agent', 'PRICE_ORACLE', { base: 'BTC' });
      if (!again.ok) throw new Error(`a call after the restart failed: ${again.status}`);
      expectPaidOnChain(again.answer);
      await expectBooksAgree();
    });

    describe('kill -9 of the payment service and then of the chain node in a burst of paid calls', () => {
      let treasuryBefore = 0n;
      let spentBefore = 0n;
      const known = new Set<string>();

      it('starts both again and loses no SUCCESS: each is on the chain the node replayed; no call answers 504', async () => {
        if (!stack) throw new Error('no stack');
        const running = stack;
        await api.reset();
        treasuryBefore = (await chainBalances(rpcUrl(), fixture.settings.dataDir, [])).get('treasury') ?? 0n;
        for (const payment of await api.transactions()) known.add(payment.id);
        spentBefore = toBaseUnits((await api.agent('user-agent')).spentToday);

        // Four callers paying for price queries until told to stop, across both kills.
        let calling = true;
        const statuses: number[] = [];
        const caller = async () => {
          while (calling) statuses.push((await api.invoke('user-agent', 'PRICE_ORACLE', { base: 'ETH' })).status);
        };
        const callers = Promise.all(Array.from({ length: 4 }, caller));
        await sleep(1_500);
        const paymentKilled = running.kill('payment');
        await running.restarted('payment', paymentKilled);
        await sleep(1_500);
        const chainKilled = running.kill('chain');
        await waitFor(
          'the chain node started again',
          async () => {
            const entry = running.runFile().services.find((service) => service.project === 'chain');
            return entry?.pid && entry.pid !== chainKilled && (await rpcChainId(rpcUrl())) === LOCAL_CHAIN_ID ? true : undefined;
          },
          POLL,
        );
        await sleep(1_500);
        calling = false;
        await callers;

        // A chain outage answers 503 CHAIN_UNAVAILABLE, never a gateway timeout.
        expect(statuses.filter((status) => status !== 200 && status !== 502 && status !== 503)).toEqual([]);
        const succeeded = (await api.transactions()).filter((payment) => !known.has(payment.id) && payment.status === 'SUCCESS');
        expect(succeeded.length).toBeGreaterThan(0);
        for (const payment of succeeded) expect(await minedSuccessfully(rpcUrl(), payment.txHash ?? '')).toBe(true);
        expect(running.runFile().services.find((service) => service.project === 'chain')?.restarts).toBe(1);
      });

      // The payment service drives the payments the kills left PENDING to their ends and tells the policy.
      it('drives every payment of the burst to an end: the treasury moved by the SUCCESS sum, which is the spend; the books agree', async () => {
        const ours = await waitFor(
          'no payment of the burst left PENDING',
          async () => {
            const payments = (await api.transactions()).filter((payment) => !known.has(payment.id));
            return payments.some((payment) => payment.status === 'PENDING') ? undefined : payments;
          },
          { ...POLL, timeoutMs: 90_000 },
        );
        const succeeded = ours.filter((payment) => payment.status === 'SUCCESS');
        for (const payment of succeeded) expect(await minedSuccessfully(rpcUrl(), payment.txHash ?? '')).toBe(true);
        const paid = sumMoney(succeeded.map((payment) => payment.amount));
        const treasuryAfter = (await chainBalances(rpcUrl(), fixture.settings.dataDir, [])).get('treasury') ?? 0n;
        expect(treasuryBefore - treasuryAfter).toBe(onChainUnits(paid));
        // The payment service tells the policy each end through its outbox, a moment after the ledger shows it;
        // a payment it settled just before it was killed (its caller never heard) is told shortly before its hold expires.
        let spent = '';
        await waitFor(
          'the policy to count the SUCCESS payments of the burst as spend',
          async () => {
            spent = fromBaseUnits(toBaseUnits((await api.agent('user-agent')).spentToday) - spentBefore);
            return spent === paid ? spent : undefined;
          },
          { ...POLL, timeoutMs: 60_000 },
        ).catch(() => undefined);
        expect(spent).toBe(paid);
        // Holds of calls whose payment service was gone (nothing paid, nothing known) expire with their grants.
        await expectBooksAgree(90_000);
      });
    });
  });
}
