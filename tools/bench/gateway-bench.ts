import { startBenchStack } from './bench-stack';
import { paidCallSpec, unpaidProviderSpec } from './paid-call';
import type { LoadRow, MemoryRow } from './report';
import { measureSeries } from './series';
import type { BenchSettings } from './settings';
import { stackMemoryAtRest, withMemoryAfterLoad } from './stack-memory';

export const GATEWAY_CONNECTIONS = [1, 20] as const;

/**
 * The whole stack in mock payment mode: PRICE_ORACLE called directly
 * without payment, then the paid call through the gateway (decide → pay →
 * provider → commit), at 1 and 20 connections; the services' memory at rest
 * and after.
 */
export async function benchGateway(settings: BenchSettings): Promise<{ load: LoadRow[]; memory: MemoryRow[] }> {
  const stack = await startBenchStack({ mode: 'mock' });
  try {
    const atRest = await stackMemoryAtRest(stack);
    const common = {
      connections: GATEWAY_CONNECTIONS,
      seconds: settings.seconds,
      warmupSeconds: settings.warmupSeconds,
      watched: () => stack.busyProcesses(),
    };
    const direct = await measureSeries({
      kind: 'provider-direct',
      target: 'PRICE_ORACLE direct, unpaid (402)',
      spec: unpaidProviderSpec(stack),
      ...common,
    });
    const paid = await measureSeries({
      kind: 'gateway-mock',
      target: 'paid call via gateway, mock',
      spec: paidCallSpec(stack),
      before: () => stack.reset(),
      ...common,
    });
    return { load: [...direct, ...paid], memory: withMemoryAfterLoad(atRest, stack) };
  } finally {
    await stack.stop();
  }
}
