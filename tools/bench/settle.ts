/**
 * npm run bench:settle — settlements per second on a local Hardhat node
 * (started here on a free port, stopped after): per-call payments sent one
 * after another and pipelined (one sender per signer, receipts awaited
 * concurrently), then batched with payBatch, sequential and pipelined.
 * Prints a table and writes tmp/bench/settle.json. Not a test: it asserts nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseUnits } from 'ethers';
import {
  DEFAULT_RETRY,
  MNEEPaymentRouter__factory,
  TxSender,
  paymentRefOf,
  serviceIdToBytes32,
  startTestChain,
  waitForReceipt,
  type TestChain,
} from '@nexus/chain';
import { workspaceRoot } from '../stack/build';

const out = (line: string) => process.stdout.write(`${line}\n`);
const PER_CALL = Number(process.env['BENCH_SETTLEMENTS'] ?? 200);
const BATCH_SIZE = Number(process.env['BENCH_BATCH_SIZE'] ?? 50);
const BATCHES = Number(process.env['BENCH_BATCHES'] ?? 10);
const routerInterface = MNEEPaymentRouter__factory.createInterface();
const wait = { confirmations: 1, timeoutMs: 60_000, pollMs: 20 };

let refs = 0;
const request = (chain: TestChain) => ({
  payee: chain.payees[(refs % 4) as 0 | 1 | 2 | 3]!.address,
  amount: parseUnits('0.05', 18),
  serviceId: serviceIdToBytes32('PRICE_ORACLE'),
  paymentRef: paymentRefOf(`bench-${++refs}`),
});

interface Row {
  scenario: string;
  settlements: number;
  transactions: number;
  seconds: number;
  settlementsPerSecond: number;
  gasPerSettlement: number;
}

async function measure(scenario: string, settlements: number, run: () => Promise<bigint[]>): Promise<Row> {
  const started = process.hrtime.bigint();
  const gas = await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const totalGas = gas.reduce((sum, used) => sum + used, 0n);
  return {
    scenario,
    settlements,
    transactions: gas.length,
    seconds,
    settlementsPerSecond: settlements / seconds,
    gasPerSettlement: Number(totalGas / BigInt(settlements)),
  };
}

async function main(): Promise<void> {
  const chain = await startTestChain();
  try {
    const sender = new TxSender(chain.treasury, DEFAULT_RETRY);
    const settle = async (data: string) => {
      const hash = await sender.send({ to: chain.deployment.router, data });
      return (await waitForReceipt(chain.provider, hash, wait)).gasUsed;
    };
    const payData = () => {
      const r = request(chain);
      return routerInterface.encodeFunctionData('pay', [r.payee, r.amount, r.serviceId, r.paymentRef]);
    };
    const batchData = () => routerInterface.encodeFunctionData('payBatch', [Array.from({ length: BATCH_SIZE }, () => request(chain))]);

    await settle(payData()); // warm-up: compiled paths, nonce cache
    const rows: Row[] = [];
    rows.push(
      await measure('per call, sequential', PER_CALL, async () => {
        const gas: bigint[] = [];
        for (let i = 0; i < PER_CALL; i += 1) gas.push(await settle(payData()));
        return gas;
      }),
    );
    rows.push(await measure('per call, pipelined', PER_CALL, () => Promise.all(Array.from({ length: PER_CALL }, () => settle(payData())))));
    rows.push(
      await measure(`payBatch of ${BATCH_SIZE}, sequential`, BATCH_SIZE * BATCHES, async () => {
        const gas: bigint[] = [];
        for (let i = 0; i < BATCHES; i += 1) gas.push(await settle(batchData()));
        return gas;
      }),
    );
    rows.push(
      await measure(`payBatch of ${BATCH_SIZE}, pipelined`, BATCH_SIZE * BATCHES, () =>
        Promise.all(Array.from({ length: BATCHES }, () => settle(batchData()))),
      ),
    );

    out('\nSettlement on a local Hardhat node (automine), one treasury signer');
    out(
      `${'scenario'.padEnd(30)} ${'settlements'.padStart(11)} ${'txs'.padStart(5)} ${'seconds'.padStart(8)} ${'per second'.padStart(11)} ${'gas each'.padStart(9)}`,
    );
    for (const row of rows) {
      out(
        `${row.scenario.padEnd(30)} ${String(row.settlements).padStart(11)} ${String(row.transactions).padStart(5)} ${row.seconds.toFixed(2).padStart(8)} ${row.settlementsPerSecond.toFixed(1).padStart(11)} ${String(row.gasPerSettlement).padStart(9)}`,
      );
    }
    const perCall = rows[1]!.settlementsPerSecond;
    const batched = rows[3]!.settlementsPerSecond;
    out(`\nbatched (pipelined) vs per call (pipelined): ${(batched / perCall).toFixed(1)}×`);
    const dir = join(workspaceRoot, 'tmp', 'bench');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'settle.json'), `${JSON.stringify({ rows }, null, 2)}\n`);
    out(`figures written to ${join(dir, 'settle.json')}`);
  } finally {
    await chain.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
