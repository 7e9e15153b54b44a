import { startBenchStack } from './bench-stack';
import { benchChainSettlement } from './chain-settlement';
import { GATEWAY_CONNECTIONS } from './gateway-bench';
import { paidCallSpec } from './paid-call';
import type { LoadRow, MemoryRow, SettlementRow } from './report';
import { out } from './out';
import { measureSeries } from './series';
import type { BenchSettings } from './settings';
import { stackMemoryAtRest, withMemoryAfterLoad } from './stack-memory';

/**
 * Chain mode: the paid call through the gateway on the stack's own local
 * Hardhat node (each call one `pay` transaction, settled before the provider
 * is called), then settlement alone on a fresh node, per call and batched
 * (payBatch).
 */
export async function benchSettlement(
  settings: BenchSettings,
): Promise<{ load: LoadRow[]; memory: MemoryRow[]; settlement: SettlementRow[] }> {
  const stack = await startBenchStack({ mode: 'chain' });
  let load: LoadRow[];
  let memory: MemoryRow[];
  try {
    const atRest = await stackMemoryAtRest(stack);
    load = await measureSeries({
      kind: 'gateway-chain',
      target: 'paid call via gateway, chain',
      spec: paidCallSpec(stack),
      before: () => stack.reset(),
      connections: GATEWAY_CONNECTIONS,
      seconds: settings.seconds,
      warmupSeconds: settings.warmupSeconds,
      watched: () => stack.busyProcesses(),
    });
    memory = withMemoryAfterLoad(atRest, stack);
  } finally {
    await stack.stop();
  }
  out('  settlement alone, on a fresh Hardhat node:');
  const settlement = await benchChainSettlement(settings.seconds, settings.batchSize);
  return { load, memory, settlement };
}
