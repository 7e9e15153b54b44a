import type { LoadRow, TargetResult } from './report';
import { cpuTable, renderTable, verdict } from './table';

const target = (met: boolean | null, gap: string): TargetResult => ({ id: 'x', description: 'x', goal: 'x', measured: 'x', met, gap });

describe('bench table', () => {
  it('pads each column to its widest cell, text to the left and figures to the right', () => {
    const lines = renderTable(
      [
        { header: 'target', align: 'left' },
        { header: 'req/s', align: 'right' },
      ],
      [
        ['bare', '12345'],
        ['policy decide', '7'],
      ],
    );
    expect(lines).toEqual(['target         req/s', '-------------  -----', 'bare           12345', 'policy decide      7']);
  });

  it('prints a verdict per target: met with the margin, missed with the gap, or not measured', () => {
    expect(verdict(target(true, '2 ms to spare'))).toBe('MET (2 ms to spare)');
    expect(verdict(target(false, 'over by 9 ms (4.0× the budget)'))).toBe('MISSED: over by 9 ms (4.0× the budget)');
    expect(verdict(target(null, ''))).toBe('not measured');
  });

  it('shows CPU per request by process, every process but the load generator summed, the launcher included', () => {
    const row: LoadRow = {
      kind: 'gateway-mock',
      target: 'paid call',
      connections: 20,
      seconds: 5,
      requests: 500,
      requestsPerSecond: 100,
      p50Ms: 10,
      p99Ms: 20,
      meanMs: 11,
      unexpected: 0,
      errors: 0,
      statuses: {},
      cpu: [
        { project: 'load generator', seconds: 0.1, msPerRequest: 0.2, cores: 0.02 },
        { project: 'policy', seconds: 1, msPerRequest: 2, cores: 0.2 },
        { project: 'gateway', seconds: 2.5, msPerRequest: 5, cores: 0.5 },
        { project: 'launcher', seconds: 0.5, msPerRequest: 1, cores: 0.1 },
      ],
      machineCores: 1.5,
    };
    const [header, , line] = cpuTable([row]);
    expect(header?.split(/\s{2,}/)).toEqual([
      'target',
      'conns',
      'gateway',
      'policy',
      'launcher',
      'all but load gen.',
      'cores busy',
      'load generator',
      'other work (cores)',
    ]);
    expect(line?.split(/\s{2,}/)).toEqual(['paid call', '20', '5.00', '2.00', '1.00', '8.00', '0.80', '0.20', '0.68']);
  });
});
