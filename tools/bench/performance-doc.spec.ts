import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GENERATED_END,
  GENERATED_START,
  completeRun,
  generatedSection,
  withGeneratedSection,
  writePerformanceDoc,
} from './performance-doc';
import type { BenchReport } from './report';

const report = (startedAt: string, requestsPerSecond: number): BenchReport => ({
  startedAt,
  finishedAt: startedAt,
  machine: { platform: 'linux', arch: 'x64', cpus: 2, node: 'v20.19.0', loadAverageAtStart: [0.1, 0.2, 0.3] },
  seconds: 5,
  batchSize: 100,
  load: [
    {
      kind: 'limit',
      target: 'bare Express',
      connections: 10,
      seconds: 5,
      requests: requestsPerSecond * 5,
      requestsPerSecond,
      p50Ms: 1,
      p99Ms: 2,
      meanMs: 1,
      unexpected: 0,
      errors: 0,
      statuses: {},
      cpu: [],
      machineCores: null,
    },
  ],
  settlement: [],
  memory: [],
  targets: [{ id: 'memory', description: 'every service at rest', goal: '≤ 150 MB', measured: '140 MB', met: true, gap: '10 MB to spare' }],
  notes: [],
  profiles: [],
});

const handWritten = (generated: string) =>
  `# Performance\n\nHow to read the figures.\n\n${generated}\n\n## Where the time goes\n\nHand-written analysis.\n`;

describe('docs/performance.md from the bench report', () => {
  it('writes the run as the bench prints it, between the markers, in a text block', () => {
    const section = generatedSection(report('2026-01-02T03:04:05.000Z', 7654));
    expect(section.startsWith(GENERATED_START)).toBe(true);
    expect(section.endsWith(GENERATED_END)).toBe(true);
    expect(section).toContain('Run of 2026-01-02T03:04:05.000Z on 2 cores (linux x64, Node v20.19.0), 5 s per run');
    expect(section).toMatch(/```text\n[\s\S]*bare Express\s+10\s+7654[\s\S]*MET \(10 MB to spare\)[\s\S]*\n```/);
  });

  it('puts issue 16’s targets before and after its work in a table above the text block, and no other target', () => {
    const withTargets: BenchReport = {
      ...report('2026-01-02T03:04:05.000Z', 7654),
      targets: [
        {
          id: 'gateway-throughput',
          description: 'paid calls (mock), 20 connections',
          goal: '≥ 600 per second',
          measured: '640 per second',
          met: true,
          gap: '40 per second to spare',
        },
        {
          id: 'chain-p50',
          description: 'paid calls (chain), 20 connections, p50',
          goal: '≤ 150 ms',
          measured: '180.00 ms',
          met: false,
          gap: 'over by 30.00 ms (1.2× the budget)',
        },
        {
          id: 'decide-postgres-p99',
          description: 'decide (PostgreSQL), p99',
          goal: '≤ 30 ms',
          measured: 'not measured',
          met: null,
          gap: '',
        },
        {
          id: 'memory-at-rest',
          description: 'every service at rest',
          goal: '≤ 150 MB',
          measured: '140 MB',
          met: true,
          gap: '10 MB to spare',
        },
      ],
    };
    const section = generatedSection(withTargets);
    const table = section.slice(section.indexOf('| measure |'), section.indexOf('```text'));
    expect(table.trim().split('\n')).toEqual([
      '| measure | target | before (issue 16) | after (this run) | result |',
      '| --- | --- | --- | --- | --- |',
      '| paid calls (mock), 20 connections | ≥ 600 per second | 126 per second | 640 per second | MET (40 per second to spare) |',
      '| paid calls (chain), 20 connections, p50 | ≤ 150 ms | 547 ms | 180.00 ms | MISSED: over by 30.00 ms (1.2× the budget) |',
      '| decide (PostgreSQL), p99 | ≤ 30 ms | 142 ms | not measured | not measured |',
    ]);
  });

  it('replaces only the generated section and keeps the hand-written parts around it', () => {
    const first = handWritten(generatedSection(report('2026-01-01T00:00:00.000Z', 1000)));
    const second = withGeneratedSection(first, generatedSection(report('2026-02-01T00:00:00.000Z', 2000)));
    expect(second).toBe(handWritten(generatedSection(report('2026-02-01T00:00:00.000Z', 2000))));
    expect(second).not.toContain('2026-01-01');
    expect(second.split(GENERATED_START)).toHaveLength(2);
  });

  it('adds the section at the end of a page that has none yet', () => {
    const section = generatedSection(report('2026-01-01T00:00:00.000Z', 1000));
    expect(withGeneratedSection('# Performance\n\nIntro.\n', section)).toBe(`# Performance\n\nIntro.\n\n${section}\n`);
  });

  it('rewrites a file on disk, and makes one when there is none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-doc-'));
    const existing = join(dir, 'performance.md');
    writeFileSync(existing, handWritten(generatedSection(report('2026-01-01T00:00:00.000Z', 1000))));
    writePerformanceDoc(report('2026-03-01T00:00:00.000Z', 3000), existing);
    expect(readFileSync(existing, 'utf8')).toBe(handWritten(generatedSection(report('2026-03-01T00:00:00.000Z', 3000))));

    const fresh = join(dir, 'new.md');
    writePerformanceDoc(report('2026-03-01T00:00:00.000Z', 3000), fresh);
    expect(readFileSync(fresh, 'utf8')).toMatch(/^# Performance\n\n<!-- npm run bench/);
  });

  it('takes only a complete, successful run as the page’s figures', () => {
    expect(completeRun(['limit', 'decide', 'gateway', 'settlement'], false)).toBe(true);
    expect(completeRun(['limit', 'decide', 'gateway', 'settlement'], true)).toBe(false);
    expect(completeRun(['limit'], false)).toBe(false);
  });
});
