import { stackCpu } from './cpu-usage';
import { GOALS } from './goals';
import type { LoadRow, TargetResult } from './report';
import { atLeast, atMost, findLoad, fixed, judged, ms, notMeasured, perSecond, shareOfLimit } from './verdicts';

/** A share as a goal says it: 11%, 4.5%. */
export const goalPercent = (share: number) => `${Number((share * 100).toFixed(1))}%`;

/**
 * The paid call in mock mode: throughput and share of the limit at 20
 * connections, the p50 overhead over the provider called directly at 1,
 * and the CPU one paid call costs every process of the stack together (the
 * launcher included, the load generator not) at 20.
 */
export function gatewayTargets(load: readonly LoadRow[]): TargetResult[] {
  const goals = GOALS.gateway;
  const c = goals.connections;
  const busy = findLoad(load, 'gateway-mock', c);
  const paid = findLoad(load, 'gateway-mock', 1);
  const direct = findLoad(load, 'provider-direct', 1);
  const overhead = {
    id: 'gateway-overhead',
    description: 'paid call via the gateway (mock), p50 overhead over the provider called directly, 1 connection',
    goal: `≤ ${goals.overheadP50Ms} ms`,
  };
  const cpu = busy && busy.cpu.length > 0 ? stackCpu(busy.cpu) : undefined;
  const cpuText = {
    id: 'gateway-cpu',
    description: `CPU of one paid call (mock), every process of the stack together (launcher included), ${c} connections`,
    goal: `≤ ${goals.cpuMsPerCall} ms`,
  };
  return [
    judged(
      {
        id: 'gateway-throughput',
        description: `paid calls via the gateway (mock), ${c} connections`,
        goal: `≥ ${goals.callsPerSecond} per second`,
      },
      busy,
      (row) => row.requestsPerSecond,
      atLeast,
      goals.callsPerSecond,
      perSecond,
    ),
    shareOfLimit(
      {
        id: 'gateway-share',
        description: `paid calls via the gateway (mock), ${c} connections, share of the bare-Express limit`,
        goal: `≥ ${goalPercent(goals.shareOfLimit)}`,
      },
      load,
      busy,
      goals.shareOfLimit,
    ),
    paid === undefined || direct === undefined
      ? notMeasured(overhead)
      : {
          ...overhead,
          measured: `${ms(paid.p50Ms - direct.p50Ms)} (${ms(paid.p50Ms)} vs ${ms(direct.p50Ms)})`,
          ...atMost(paid.p50Ms - direct.p50Ms, goals.overheadP50Ms, ms),
        },
    cpu === undefined
      ? notMeasured(cpuText)
      : {
          ...cpuText,
          measured: `${ms(cpu.msPerRequest)} (${fixed(cpu.cores, 2)} cores busy)`,
          ...atMost(cpu.msPerRequest, goals.cpuMsPerCall, ms),
        },
  ];
}

/** The paid call in chain mode on the local node, settlements batched (the payment service's default): 20 connections. */
export function chainTargets(load: readonly LoadRow[]): TargetResult[] {
  const goals = GOALS.chain;
  const c = goals.connections;
  const row = findLoad(load, 'gateway-chain', c);
  const what = `paid calls via the gateway (chain, batched settlement), ${c} connections`;
  return [
    judged(
      { id: 'chain-throughput', description: what, goal: `≥ ${goals.callsPerSecond} per second` },
      row,
      (r) => r.requestsPerSecond,
      atLeast,
      goals.callsPerSecond,
      perSecond,
    ),
    shareOfLimit(
      { id: 'chain-share', description: `${what}, share of the bare-Express limit`, goal: `≥ ${goalPercent(goals.shareOfLimit)}` },
      load,
      row,
      goals.shareOfLimit,
    ),
    judged({ id: 'chain-p50', description: `${what}, p50`, goal: `≤ ${goals.p50Ms} ms` }, row, (r) => r.p50Ms, atMost, goals.p50Ms, ms),
  ];
}
