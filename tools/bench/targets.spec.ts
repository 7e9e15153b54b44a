import type { LoadKind, LoadRow, MemoryRow, SettlementRow } from './report';
import { atLeast, atMost, evaluateTargets } from './targets';

const row = (kind: LoadKind, connections: number, requestsPerSecond: number, p50Ms: number, p99Ms: number): LoadRow => ({
  kind,
  target: kind,
  connections,
  seconds: 5,
  requests: requestsPerSecond * 5,
  requestsPerSecond,
  p50Ms,
  p99Ms,
  meanMs: p50Ms,
  unexpected: 0,
  errors: 0,
  statuses: {},
  cpu: [],
  machineCores: null,
});

const settlement = (style: SettlementRow['style'], settlementsPerSecond: number): SettlementRow => ({
  scenario: style,
  style,
  gasEstimated: false,
  settlements: settlementsPerSecond * 5,
  transactions: 5,
  seconds: 5,
  settlementsPerSecond,
  gasPerSettlement: 100_000,
  cpu: [],
  machineCores: null,
});

const memory = (project: string, restMb: number): MemoryRow => ({ stack: 'mock', project, pid: 1, restMb, afterLoadMb: restMb });

const byId = (targets: ReturnType<typeof evaluateTargets>) => new Map(targets.map((target) => [target.id, target]));

describe('targets', () => {
  it('says by how much a floor is missed and what multiple it needs', () => {
    expect(atLeast(400, 1000, (v) => `${v} per second`)).toEqual({
      met: false,
      gap: 'short by 600 per second; needs 2.5× the measured figure',
    });
    expect(atLeast(1200, 1000, (v) => `${v}`)).toEqual({ met: true, gap: '200 to spare' });
  });

  it('says by how much a ceiling is exceeded, as a multiple of the budget', () => {
    expect(atMost(45, 15, (v) => `${v} ms`)).toEqual({ met: false, gap: 'over by 30 ms (3.0× the budget)' });
    expect(atMost(15, 15, (v) => `${v} ms`)).toEqual({ met: true, gap: '0 ms to spare' });
  });

  it('judges decide against the limit at 50 connections, each store with its own goals', () => {
    const targets = byId(
      evaluateTargets(
        [row('limit', 50, 5000, 9, 20), row('decide-sqlite', 50, 3500, 12, 14), row('decide-postgres', 50, 1000, 40, 90)],
        [],
        [],
      ),
    );
    expect(targets.get('decide-sqlite-share')).toMatchObject({ goal: '≥ 60%', met: true, measured: '70.0% (3500 of 5000 req/s)' });
    expect(targets.get('decide-sqlite-p99')).toMatchObject({ goal: '≤ 15 ms', met: true });
    expect(targets.get('decide-postgres-share')).toMatchObject({
      goal: '≥ 35%',
      met: false,
      gap: 'short by 15.0 points; needs 1.8× the measured figure',
    });
    expect(targets.get('decide-postgres-p99')).toMatchObject({ goal: '≤ 30 ms', met: false, gap: 'over by 60.00 ms (3.0× the budget)' });
  });

  it('takes the gateway overhead as the p50 difference with the direct call at one connection', () => {
    const targets = byId(
      evaluateTargets(
        [row('provider-direct', 1, 2000, 0.5, 1), row('gateway-mock', 1, 300, 3.25, 6), row('gateway-mock', 20, 650, 15, 30)],
        [],
        [],
      ),
    );
    expect(targets.get('gateway-overhead')).toMatchObject({ met: true, measured: '2.75 ms (3.25 ms vs 0.50 ms)', gap: '0.25 ms to spare' });
    expect(targets.get('gateway-throughput')).toMatchObject({ goal: '≥ 600 per second', met: true, gap: '50 per second to spare' });
  });

  it('judges the paid call at 20 connections as a share of the limit at 20 connections', () => {
    const targets = byId(
      evaluateTargets([row('limit', 20, 5300, 3, 6), row('limit', 50, 9000, 5, 9), row('gateway-mock', 20, 530, 30, 60)], [], []),
    );
    expect(targets.get('gateway-share')).toMatchObject({
      goal: '≥ 11%',
      measured: '10.0% (530 of 5300 req/s)',
      met: false,
      gap: 'short by 1.0 points; needs 1.1× the measured figure',
    });
    expect(targets.get('gateway-throughput')).toMatchObject({ met: false, gap: 'short by 70 per second; needs 1.1× the measured figure' });
  });

  it('counts the CPU of one paid call over every process of the stack, the launcher included, the load generator not', () => {
    const busy = {
      ...row('gateway-mock', 20, 600, 30, 60),
      cpu: [
        { project: 'gateway', seconds: 3, msPerRequest: 1, cores: 0.6 },
        { project: 'policy', seconds: 1.5, msPerRequest: 0.5, cores: 0.3 },
        { project: 'launcher', seconds: 3, msPerRequest: 1, cores: 0.6 },
        { project: 'load generator', seconds: 6, msPerRequest: 2, cores: 1.2 },
      ],
    };
    expect(byId(evaluateTargets([busy], [], [])).get('gateway-cpu')).toMatchObject({
      goal: '≤ 3 ms',
      measured: '2.50 ms (1.50 cores busy)',
      met: true,
      gap: '0.50 ms to spare',
    });
    expect(byId(evaluateTargets([row('gateway-mock', 20, 600, 30, 60)], [], [])).get('gateway-cpu')?.met).toBeNull();
  });

  it('judges chain mode on the batched row at 20 connections, not the one-transaction-per-payment row', () => {
    const targets = byId(
      evaluateTargets(
        [
          row('limit', 20, 5000, 3, 6),
          row('gateway-chain', 1, 20, 40, 60),
          row('gateway-chain', 20, 260, 120, 300),
          row('gateway-chain-single', 20, 36, 550, 900),
        ],
        [],
        [],
      ),
    );
    expect(targets.get('chain-throughput')).toMatchObject({ goal: '≥ 250 per second', measured: '260 per second', met: true });
    expect(targets.get('chain-share')).toMatchObject({ goal: '≥ 4.5%', measured: '5.2% (260 of 5000 req/s)', met: true });
    expect(targets.get('chain-p50')).toMatchObject({ goal: '≤ 150 ms', measured: '120.00 ms', met: true, gap: '30.00 ms to spare' });
    const single = byId(evaluateTargets([row('limit', 20, 5000, 3, 6), row('gateway-chain-single', 20, 36, 550, 900)], [], []));
    expect(single.get('chain-throughput')?.met).toBeNull();
  });

  it('compares the best batched settlement with the best per-call one', () => {
    const target = byId(
      evaluateTargets(
        [],
        [settlement('per-call', 50), settlement('per-call', 100), settlement('batched', 300), settlement('batched', 900)],
        [],
      ),
    ).get('batched-settlement');
    expect(target).toMatchObject({
      met: false,
      measured: '9.0× (900 vs 100 per second)',
      gap: 'short by 1.0×; needs 1.1× the measured figure',
    });
  });

  it('names the largest service at rest', () => {
    const target = byId(evaluateTargets([], [], [memory('policy', 90), memory('gateway', 160)])).get('memory-at-rest');
    expect(target).toMatchObject({ met: false, measured: 'largest 160 MB (gateway, mock stack)', gap: 'over by 10 MB (1.1× the budget)' });
  });

  it('leaves a target unjudged when its figures were not measured', () => {
    const targets = evaluateTargets([row('decide-sqlite', 50, 3000, 5, 9)], [], []);
    expect(targets.find((target) => target.id === 'decide-sqlite-share')?.met).toBeNull();
    expect(targets.find((target) => target.id === 'gateway-throughput')?.met).toBeNull();
    expect(targets.find((target) => target.id === 'chain-share')?.met).toBeNull();
    expect(targets.find((target) => target.id === 'memory-at-rest')?.met).toBeNull();
  });
});
