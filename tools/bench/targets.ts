import type { LoadKind, LoadRow, MemoryRow, SettlementRow, TargetResult } from './report';

/** The targets on this 2-core machine. */
export const GOALS = {
  decideShareOfLimit: 0.6,
  decideP99Ms: 15,
  decideConnections: 50,
  gatewayOverheadP50Ms: 3,
  gatewayCallsPerSecond: 1000,
  gatewayConnections: 20,
  batchedOverPerCall: 10,
  restMb: 150,
} as const;

const fixed = (value: number, digits: number) => value.toFixed(digits);

/** A floor: met when `measured ≥ goal`, else by how much it falls short and what multiple it needs. */
export function atLeast(measured: number, goal: number, show: (value: number) => string): Pick<TargetResult, 'met' | 'gap'> {
  if (measured >= goal) return { met: true, gap: `${show(measured - goal)} to spare` };
  const needs = measured > 0 ? `; needs ${fixed(goal / measured, 1)}× the measured figure` : '';
  return { met: false, gap: `short by ${show(goal - measured)}${needs}` };
}

/** A ceiling: met when `measured ≤ goal`, else by how much it is over and what multiple of the budget that is. */
export function atMost(measured: number, goal: number, show: (value: number) => string): Pick<TargetResult, 'met' | 'gap'> {
  if (measured <= goal) return { met: true, gap: `${show(goal - measured)} to spare` };
  return { met: false, gap: `over by ${show(measured - goal)} (${fixed(measured / goal, 1)}× the budget)` };
}

const find = (load: readonly LoadRow[], kind: LoadKind, connections: number) =>
  load.find((row) => row.kind === kind && row.connections === connections);

const notMeasured = (id: string, description: string, goal: string): TargetResult => ({
  id,
  description,
  goal,
  measured: 'not measured',
  met: null,
  gap: '',
});

const ms = (value: number) => `${fixed(value, 2)} ms`;

function decideTargets(load: readonly LoadRow[], kind: 'decide-sqlite' | 'decide-postgres', store: string): TargetResult[] {
  const c = GOALS.decideConnections;
  const limit = find(load, 'limit', c);
  const decide = find(load, kind, c);
  const shareId = `${kind}-share`;
  const shareText = `policy decide (${store}) at ${c} connections, share of the bare-Express limit`;
  const shareGoal = `≥ ${GOALS.decideShareOfLimit * 100}%`;
  const p99Id = `${kind}-p99`;
  const p99Text = `policy decide (${store}) at ${c} connections, p99`;
  const p99Goal = `≤ ${GOALS.decideP99Ms} ms`;
  if (!decide) return [notMeasured(shareId, shareText, shareGoal), notMeasured(p99Id, p99Text, p99Goal)];
  const share = (limitRps: number) => (decide.requestsPerSecond / limitRps) * 100;
  return [
    limit === undefined
      ? notMeasured(shareId, shareText, shareGoal)
      : {
          id: shareId,
          description: shareText,
          goal: shareGoal,
          measured: `${fixed(share(limit.requestsPerSecond), 0)}% (${fixed(decide.requestsPerSecond, 0)} of ${fixed(limit.requestsPerSecond, 0)} req/s)`,
          ...atLeast(share(limit.requestsPerSecond), GOALS.decideShareOfLimit * 100, (v) => `${fixed(v, 0)} points`),
        },
    { id: p99Id, description: p99Text, goal: p99Goal, measured: ms(decide.p99Ms), ...atMost(decide.p99Ms, GOALS.decideP99Ms, ms) },
  ];
}

function gatewayTargets(load: readonly LoadRow[]): TargetResult[] {
  const overheadText = 'paid call via the gateway (mock), p50 overhead over the provider called directly, 1 connection';
  const overheadGoal = `≤ ${GOALS.gatewayOverheadP50Ms} ms`;
  const throughputText = `paid calls via the gateway (mock) at ${GOALS.gatewayConnections} connections`;
  const throughputGoal = `≥ ${GOALS.gatewayCallsPerSecond} per second`;
  const paid = find(load, 'gateway-mock', 1);
  const direct = find(load, 'provider-direct', 1);
  const busy = find(load, 'gateway-mock', GOALS.gatewayConnections);
  return [
    paid === undefined || direct === undefined
      ? notMeasured('gateway-overhead', overheadText, overheadGoal)
      : {
          id: 'gateway-overhead',
          description: overheadText,
          goal: overheadGoal,
          measured: `${ms(paid.p50Ms - direct.p50Ms)} (${ms(paid.p50Ms)} vs ${ms(direct.p50Ms)})`,
          ...atMost(paid.p50Ms - direct.p50Ms, GOALS.gatewayOverheadP50Ms, ms),
        },
    busy
      ? {
          id: 'gateway-throughput',
          description: throughputText,
          goal: throughputGoal,
          measured: `${fixed(busy.requestsPerSecond, 0)} per second`,
          ...atLeast(busy.requestsPerSecond, GOALS.gatewayCallsPerSecond, (v) => `${fixed(v, 0)} per second`),
        }
      : notMeasured('gateway-throughput', throughputText, throughputGoal),
  ];
}

function settlementTarget(settlement: readonly SettlementRow[]): TargetResult {
  const text = 'batched settlement (payBatch) over per-call settlement, settlements per second (best of each)';
  const goal = `≥ ${GOALS.batchedOverPerCall}×`;
  const best = (style: SettlementRow['style']) =>
    settlement
      .filter((row) => row.style === style)
      .reduce<SettlementRow | undefined>(
        (top, row) => (top && top.settlementsPerSecond >= row.settlementsPerSecond ? top : row),
        undefined,
      );
  const batched = best('batched');
  const perCall = best('per-call');
  if (!batched || !perCall || perCall.settlementsPerSecond === 0) return notMeasured('batched-settlement', text, goal);
  const ratio = batched.settlementsPerSecond / perCall.settlementsPerSecond;
  return {
    id: 'batched-settlement',
    description: text,
    goal,
    measured: `${fixed(ratio, 1)}× (${fixed(batched.settlementsPerSecond, 0)} vs ${fixed(perCall.settlementsPerSecond, 0)} per second)`,
    ...atLeast(ratio, GOALS.batchedOverPerCall, (v) => `${fixed(v, 1)}×`),
  };
}

function memoryTarget(memory: readonly MemoryRow[]): TargetResult {
  const text = 'resident memory of every service at rest';
  const goal = `≤ ${GOALS.restMb} MB each`;
  const measured = memory.filter((row): row is MemoryRow & { restMb: number } => row.restMb !== null);
  if (measured.length === 0) return notMeasured('memory-at-rest', text, goal);
  const largest = measured.reduce((top, row) => (row.restMb > top.restMb ? row : top));
  const mb = (value: number) => `${fixed(value, 0)} MB`;
  return {
    id: 'memory-at-rest',
    description: text,
    goal,
    measured: `largest ${mb(largest.restMb)} (${largest.project}, ${largest.stack} stack)`,
    ...atMost(largest.restMb, GOALS.restMb, mb),
  };
}

/** Every target, met, missed (and by how much) or not measured in this run. */
export function evaluateTargets(
  load: readonly LoadRow[],
  settlement: readonly SettlementRow[],
  memory: readonly MemoryRow[],
): TargetResult[] {
  return [
    ...decideTargets(load, 'decide-sqlite', 'SQLite'),
    ...decideTargets(load, 'decide-postgres', 'PostgreSQL'),
    ...gatewayTargets(load),
    settlementTarget(settlement),
    memoryTarget(memory),
  ];
}
