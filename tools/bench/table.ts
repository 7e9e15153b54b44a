import { LOAD_GENERATOR, stackCpu, type ServiceCpu } from './cpu-usage';
import type { BenchReport, LoadRow, TargetResult } from './report';

export interface Column {
  header: string;
  align: 'left' | 'right';
}

/** Columns padded to their widest cell, two spaces apart; the header underlined. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string[] {
  const widths = columns.map((column, i) => Math.max(column.header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((column, i) => (column.align === 'left' ? (cells[i] ?? '').padEnd(widths[i] ?? 0) : (cells[i] ?? '').padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const left = (header: string): Column => ({ header, align: 'left' });
const right = (header: string): Column => ({ header, align: 'right' });

/** A target's verdict: MET, MISSED with the gap, or that it was not measured. */
export function verdict(target: TargetResult): string {
  if (target.met === null) return 'not measured';
  return target.met ? `MET (${target.gap})` : `MISSED: ${target.gap}`;
}

function loadTable(load: readonly LoadRow[]): string[] {
  const limit = new Map(load.filter((row) => row.kind === 'limit').map((row) => [row.connections, row.requestsPerSecond]));
  const direct = new Map(load.filter((row) => row.kind === 'provider-direct').map((row) => [row.connections, row.p50Ms]));
  return renderTable(
    [
      left('target'),
      right('conns'),
      right('req/s'),
      right('p50 ms'),
      right('p99 ms'),
      right('% of limit'),
      right('p50 over direct'),
      right('unexpected'),
    ],
    load.map((row) => {
      const limitRps = limit.get(row.connections);
      const directP50 = row.kind === 'gateway-mock' ? direct.get(row.connections) : undefined;
      return [
        row.target,
        String(row.connections),
        fixed(row.requestsPerSecond, 0),
        fixed(row.p50Ms, 2),
        fixed(row.p99Ms, 2),
        row.kind === 'limit' || limitRps === undefined ? '' : `${fixed((row.requestsPerSecond / limitRps) * 100, 1)}%`,
        directP50 === undefined ? '' : `+${fixed(row.p50Ms - directP50, 2)} ms`,
        String(row.unexpected + row.errors),
      ];
    }),
  );
}

/** Cores busy with other work than the watched processes during a run: how noisy the figure is. */
const otherWork = (row: { cpu: readonly ServiceCpu[]; machineCores: number | null }) =>
  row.machineCores === null ? '—' : fixed(Math.max(0, row.machineCores - row.cpu.reduce((sum, cpu) => sum + cpu.cores, 0)), 2);

/** Processes in the order a paid call reaches them; any other after them. */
const PROCESS_ORDER = [
  'bare Express',
  'gateway',
  'policy',
  'postgresql',
  'payment',
  'price-oracle',
  'logger',
  'launcher',
  'chain',
  'hardhat node',
];

/**
 * CPU milliseconds per request of each busy process, per run: where a
 * request's time goes, process by process; "all but load gen." sums every
 * process but the load generator (the launcher and the chain node included).
 */
export function cpuTable(load: readonly LoadRow[]): string[] {
  const busy = new Set(load.flatMap((row) => row.cpu.filter((cpu) => cpu.msPerRequest >= 0.005).map((cpu) => cpu.project)));
  const rank = (project: string) =>
    project === LOAD_GENERATOR ? 1000 : PROCESS_ORDER.indexOf(project) === -1 ? 100 : PROCESS_ORDER.indexOf(project);
  const projects = [...busy].sort((a, b) => rank(a) - rank(b));
  const watched = projects.filter((project) => project !== LOAD_GENERATOR);
  return renderTable(
    [
      left('target'),
      right('conns'),
      ...watched.map(right),
      right('all but load gen.'),
      right('cores busy'),
      right(LOAD_GENERATOR),
      right('other work (cores)'),
    ],
    load.map((row) => {
      const of = (project: string) => row.cpu.find((cpu) => cpu.project === project);
      const stack = stackCpu(row.cpu);
      return [
        row.target,
        String(row.connections),
        ...watched.map((project) => fixed(of(project)?.msPerRequest ?? Number.NaN, 2)),
        fixed(stack.msPerRequest, 2),
        fixed(stack.cores, 2),
        fixed(of(LOAD_GENERATOR)?.msPerRequest ?? Number.NaN, 2),
        otherWork(row),
      ];
    }),
  );
}

function memoryTable(report: BenchReport): string[] {
  const projects = [...new Set(report.memory.map((row) => row.project))];
  const mb = (stack: 'mock' | 'chain', project: string, when: 'restMb' | 'afterLoadMb') => {
    const value = report.memory.find((row) => row.stack === stack && row.project === project)?.[when];
    return value === undefined || value === null ? '' : fixed(value, 0);
  };
  return renderTable(
    [left('service'), right('mock: at rest'), right('after load'), right('chain: at rest'), right('after load')],
    projects.map((project) => [
      project,
      mb('mock', project, 'restMb'),
      mb('mock', project, 'afterLoadMb'),
      mb('chain', project, 'restMb'),
      mb('chain', project, 'afterLoadMb'),
    ]),
  );
}

/** The whole report as the text `npm run bench` prints. */
export function renderReport(report: BenchReport): string {
  const { machine } = report;
  const lines = [
    '',
    `MNEE Nexus bench — ${report.startedAt}, ${machine.cpus} cores ${machine.platform} ${machine.arch}, Node ${machine.node}, ` +
      `load average at start ${machine.loadAverageAtStart.map((v) => fixed(v, 2)).join(' ')}`,
    `autocannon on loopback, ${report.seconds} s per run, services logging at warn`,
    '',
  ];
  if (report.load.length > 0) {
    lines.push('Requests', ...loadTable(report.load), '');
    if (report.load.some((row) => row.cpu.length > 0))
      lines.push('CPU ms per request, by process (/proc/<pid>/stat over each run)', ...cpuTable(report.load), '');
  }
  if (report.settlement.length > 0) {
    lines.push(
      `Settlement on a local Hardhat node (automine, one treasury signer; payBatch of ${report.batchSize})`,
      ...renderTable(
        [
          left('scenario'),
          right('settlements'),
          right('txs'),
          right('seconds'),
          right('per second'),
          right('gas each'),
          right('node CPU ms each'),
          right('sender CPU ms each'),
          right('other work (cores)'),
        ],
        report.settlement.map((row) => [
          row.scenario,
          String(row.settlements),
          String(row.transactions),
          fixed(row.seconds, 1),
          fixed(row.settlementsPerSecond, 1),
          String(row.gasPerSettlement),
          fixed(row.cpu.find((cpu) => cpu.project === 'hardhat node')?.msPerRequest ?? Number.NaN, 2),
          fixed(row.cpu.find((cpu) => cpu.project !== 'hardhat node')?.msPerRequest ?? Number.NaN, 2),
          otherWork(row),
        ]),
      ),
      '',
    );
  }
  if (report.memory.length > 0) lines.push('Resident memory (MB, VmRSS)', ...memoryTable(report), '');
  lines.push(
    'Targets',
    ...renderTable(
      [left('target'), left('goal'), left('measured'), left('result')],
      report.targets.map((target) => [target.description, target.goal, target.measured, verdict(target)]),
    ),
  );
  for (const note of report.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}
