import { GOALS } from './goals';
import { chainTargets, gatewayTargets, goalPercent } from './paid-call-targets';
import type { LoadRow, MemoryRow, SettlementRow, TargetResult } from './report';
import { atLeast, atMost, findLoad, fixed, judged, ms, notMeasured, shareOfLimit } from './verdicts';

export { GOALS } from './goals';
export { atLeast, atMost } from './verdicts';

function decideTargets(load: readonly LoadRow[], kind: 'decide-sqlite' | 'decide-postgres'): TargetResult[] {
  const c = GOALS.decide.connections;
  const goals = kind === 'decide-sqlite' ? GOALS.decide.sqlite : GOALS.decide.postgres;
  const store = kind === 'decide-sqlite' ? 'SQLite' : 'PostgreSQL';
  const decide = findLoad(load, kind, c);
  return [
    shareOfLimit(
      {
        id: `${kind}-share`,
        description: `policy decide (${store}) at ${c} connections, share of the bare-Express limit`,
        goal: `≥ ${goalPercent(goals.shareOfLimit)}`,
      },
      load,
      decide,
      goals.shareOfLimit,
    ),
    judged(
      { id: `${kind}-p99`, description: `policy decide (${store}) at ${c} connections, p99`, goal: `≤ ${goals.p99Ms} ms` },
      decide,
      (row) => row.p99Ms,
      atMost,
      goals.p99Ms,
      ms,
    ),
  ];
}

function settlementTarget(settlement: readonly SettlementRow[]): TargetResult {
  const text = {
    id: 'batched-settlement',
    description: 'batched settlement (payBatch) over per-call settlement, settlements per second (best of each)',
    goal: `≥ ${GOALS.batchedOverPerCall}×`,
  };
  const best = (style: SettlementRow['style']) =>
    settlement
      .filter((row) => row.style === style)
      .reduce<SettlementRow | undefined>(
        (top, row) => (top && top.settlementsPerSecond >= row.settlementsPerSecond ? top : row),
        undefined,
      );
  const batched = best('batched');
  const perCall = best('per-call');
  if (!batched || !perCall || perCall.settlementsPerSecond === 0) return notMeasured(text);
  const ratio = batched.settlementsPerSecond / perCall.settlementsPerSecond;
  return {
    ...text,
    measured: `${fixed(ratio, 1)}× (${fixed(batched.settlementsPerSecond, 0)} vs ${fixed(perCall.settlementsPerSecond, 0)} per second)`,
    ...atLeast(ratio, GOALS.batchedOverPerCall, (v) => `${fixed(v, 1)}×`),
  };
}

function memoryTarget(memory: readonly MemoryRow[]): TargetResult {
  const text = { id: 'memory-at-rest', description: 'resident memory of every service at rest', goal: `≤ ${GOALS.restMb} MB each` };
  const measured = memory.filter((row): row is MemoryRow & { restMb: number } => row.restMb !== null);
  if (measured.length === 0) return notMeasured(text);
  const largest = measured.reduce((top, row) => (row.restMb > top.restMb ? row : top));
  const mb = (value: number) => `${fixed(value, 0)} MB`;
  return {
    ...text,
    measured: `largest ${mb(largest.restMb)} (${largest.project}, ${largest.stack} stack)`,
    ...atMost(largest.restMb, GOALS.restMb, mb),
  };
}

/** Every target, met, missed (and by how much) or not measured in this run: issue 16's first, then settlement and memory. */
export function evaluateTargets(
  load: readonly LoadRow[],
  settlement: readonly SettlementRow[],
  memory: readonly MemoryRow[],
): TargetResult[] {
  return [
    ...gatewayTargets(load),
    ...decideTargets(load, 'decide-sqlite'),
    ...decideTargets(load, 'decide-postgres'),
    ...chainTargets(load),
    settlementTarget(settlement),
    memoryTarget(memory),
  ];
}
