import { startBenchStack } from './bench-stack';
import { benchChainSettlement } from './chain-settlement';
import { GATEWAY_CONNECTIONS } from './gateway-bench';
import { paidCallSpec } from './paid-call';
import type { LoadRow, MemoryRow, SettlementRow } from './report';
import { out } from './out';
import { measureSeries } from './series';
import type { BenchSettings } from './settings';
import { stackMemoryAtRest, withMemoryAfterLoad } from './stack-memory';

/** The payment service's settlement modes (PAYMENT_SETTLEMENT): batched, its default, and one transaction per payment. */
type PaymentSettlement = 'batch' | 'single';

/** One transaction per payment is measured at the target's connection count only: it is there to compare with batching. */
export const SINGLE_SETTLEMENT_CONNECTIONS = [20] as const;

const TARGETS: Record<PaymentSettlement, string> = {
  batch: 'paid call via gateway, chain, batched settlement',
  single: 'paid call via gateway, chain, one tx per payment',
};

/** The paid call on a chain-mode stack (its own local Hardhat node) whose payment service settles in `settlement` mode. */
async function chainPaidCalls(
  settings: BenchSettings,
  settlement: PaymentSettlement,
  connections: readonly number[],
): Promise<{ load: LoadRow[]; memory: MemoryRow[] }> {
  const stack = await startBenchStack({ mode: 'chain', extraEnv: { PAYMENT_SETTLEMENT: settlement } });
  try {
    const atRest = await stackMemoryAtRest(stack);
    const load = await measureSeries({
      kind: settlement === 'batch' ? 'gateway-chain' : 'gateway-chain-single',
      target: TARGETS[settlement],
      spec: paidCallSpec(stack),
      before: () => stack.reset(),
      connections,
      seconds: settings.seconds,
      warmupSeconds: settings.warmupSeconds,
      watched: () => stack.busyProcesses(),
    });
    return { load, memory: withMemoryAfterLoad(atRest, stack) };
  } finally {
    await stack.stop();
  }
}

/**
 * Chain mode: the paid call through the gateway on the stack's own local
 * Hardhat node, its payments settled in batches (PAYMENT_SETTLEMENT=batch,
 * the default; what the chain target judges) and then, on a fresh stack, one
 * transaction each (PAYMENT_SETTLEMENT=single); then settlement alone on a
 * fresh node, per call and batched (payBatch). The memory rows are the
 * batched stack's.
 */
export async function benchSettlement(
  settings: BenchSettings,
): Promise<{ load: LoadRow[]; memory: MemoryRow[]; settlement: SettlementRow[] }> {
  const batched = await chainPaidCalls(settings, 'batch', GATEWAY_CONNECTIONS);
  out('  the same, one settlement transaction per payment (PAYMENT_SETTLEMENT=single):');
  const single = await chainPaidCalls(settings, 'single', SINGLE_SETTLEMENT_CONNECTIONS);
  out('  settlement alone, on a fresh Hardhat node:');
  const settlement = await benchChainSettlement(settings.seconds, settings.batchSize);
  return { load: [...batched.load, ...single.load], memory: batched.memory, settlement };
}
