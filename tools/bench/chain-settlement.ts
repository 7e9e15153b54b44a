import { parseUnits } from 'ethers';
import { DEFAULT_RETRY, MNEEPaymentRouter__factory, TxSender, paymentRefOf, serviceIdToBytes32, waitForReceipt } from '@nexus/chain';
import { startTestChain, type TestChain } from '@nexus/chain/testing';
import { measuringCpu } from './cpu-usage';
import type { SettlementRow } from './report';
import { out } from './out';

const routerInterface = MNEEPaymentRouter__factory.createInterface();
/** The same receipt polling for every scenario, tighter than the payment service's 250 ms so polling is not what is measured. */
const RECEIPT_WAIT = { confirmations: 1, timeoutMs: 60_000, pollMs: 20 };
/** Paid calls in flight at once, as the gateway's 20 connections would have them. */
const PER_CALL_IN_FLIGHT = 20;
/** payBatch transactions in flight at once: one being mined while the next is signed. */
const BATCHES_IN_FLIGHT = 2;
/** Headroom over one estimate when the gas limit is fixed. */
const GAS_HEADROOM_PERCENT = 125n;

interface Scenario {
  scenario: string;
  style: SettlementRow['style'];
  gasEstimated: boolean;
  /** payments per transaction */
  size: number;
  inFlight: number;
}

/**
 * Settlements per second on a fresh local Hardhat node (automine), one
 * treasury signer through TxSender as the payment service uses it: per-call
 * `pay` and batched `payBatch`, each with gas estimated per transaction
 * (TxSender's default: a revert shows before anything is sent) and with a
 * gas limit fixed from one estimate. Each scenario runs for `seconds`;
 * settlements count when their receipt is in.
 */
export async function benchChainSettlement(seconds: number, batchSize: number): Promise<SettlementRow[]> {
  const chain = await startTestChain();
  try {
    const scenarios: Scenario[] = [
      { scenario: 'pay per call, gas estimated', style: 'per-call', gasEstimated: true, size: 1, inFlight: PER_CALL_IN_FLIGHT },
      { scenario: 'pay per call, fixed gas', style: 'per-call', gasEstimated: false, size: 1, inFlight: PER_CALL_IN_FLIGHT },
      {
        scenario: `payBatch of ${batchSize}, gas estimated`,
        style: 'batched',
        gasEstimated: true,
        size: batchSize,
        inFlight: BATCHES_IN_FLIGHT,
      },
      {
        scenario: `payBatch of ${batchSize}, fixed gas`,
        style: 'batched',
        gasEstimated: false,
        size: batchSize,
        inFlight: BATCHES_IN_FLIGHT,
      },
    ];
    const rows: SettlementRow[] = [];
    for (const scenario of scenarios) {
      const row = await runScenario(chain, scenario, seconds);
      rows.push(row);
      out(
        `  ${row.scenario}: ${row.settlementsPerSecond.toFixed(1)} settlements/s (${row.transactions} txs, ${row.gasPerSettlement} gas each)`,
      );
    }
    return rows;
  } finally {
    await chain.stop();
  }
}

let refs = 0;
function paymentData(chain: TestChain, size: number): string {
  const payees = chain.payees.map((wallet) => wallet.address);
  const requests = Array.from({ length: size }, () => {
    refs += 1;
    const payee = payees[refs % payees.length];
    if (!payee) throw new Error('the test chain has no payees');
    return {
      payee,
      amount: parseUnits('0.05', 18),
      serviceId: serviceIdToBytes32('PRICE_ORACLE'),
      paymentRef: paymentRefOf(`bench-settlement-${process.pid}-${refs}`),
    };
  });
  if (size > 1) return routerInterface.encodeFunctionData('payBatch', [requests]);
  const [one] = requests as [(typeof requests)[0]];
  return routerInterface.encodeFunctionData('pay', [one.payee, one.amount, one.serviceId, one.paymentRef]);
}

async function runScenario(chain: TestChain, scenario: Scenario, seconds: number): Promise<SettlementRow> {
  const sender = new TxSender(chain.treasury, DEFAULT_RETRY);
  const to = chain.deployment.router;
  let gasLimit: bigint | undefined;
  if (!scenario.gasEstimated) {
    const estimate = await chain.provider.estimateGas({ from: chain.treasury.address, to, data: paymentData(chain, scenario.size) });
    gasLimit = (estimate * GAS_HEADROOM_PERCENT) / 100n;
  }
  const settle = async () => {
    const hash = await sender.send({ to, data: paymentData(chain, scenario.size), ...(gasLimit ? { gasLimit } : {}) });
    const receipt = await waitForReceipt(chain.provider, hash, RECEIPT_WAIT);
    if (receipt.status !== 1) throw new Error(`settlement ${hash} reverted`);
    return receipt.gasUsed;
  };
  await settle(); // warm-up: nonce cache, compiled paths
  const nodePid = chain.node.process.pid;
  const watched = [
    ...(nodePid === undefined ? [] : [{ project: 'hardhat node', pid: nodePid }]),
    { project: 'sender (this process)', pid: process.pid },
  ];
  const { result, cpu, machineCores } = await measuringCpu(watched, () => settleFor(scenario, seconds, settle));
  return {
    scenario: scenario.scenario,
    style: scenario.style,
    gasEstimated: scenario.gasEstimated,
    settlements: result.requests,
    transactions: result.transactions,
    seconds: result.seconds,
    settlementsPerSecond: result.requests / result.seconds,
    gasPerSettlement: result.requests === 0 ? 0 : Number(result.gas / BigInt(result.requests)),
    cpu,
    machineCores,
  };
}

/** Keeps `scenario.inFlight` settlements going until `seconds` are over; counts them when their receipt is in. */
async function settleFor(
  scenario: Scenario,
  seconds: number,
  settle: () => Promise<bigint>,
): Promise<{ requests: number; transactions: number; seconds: number; gas: bigint }> {
  let transactions = 0;
  let gas = 0n;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: scenario.inFlight }, async () => {
      while (Date.now() < deadline) {
        const used = await settle();
        gas += used;
        transactions += 1;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  return { requests: transactions * scenario.size, transactions, seconds: elapsed, gas };
}
