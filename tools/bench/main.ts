/**
 * `npm run bench`: on loopback, bounded in time (BENCH_SECONDS per run),
 * measures with autocannon the limit (a bare Express route), policy decide
 * on SQLite and PostgreSQL, the paid call through the gateway in mock mode
 * against the provider called directly, the paid call in chain mode (settled
 * in batches, then one transaction per payment) and settlement per call vs
 * payBatch, and each service's memory; prints one
 * table with the targets met or missed (and by how much), and writes the
 * figures to tmp/bench/<time>.json and tmp/bench/latest.json; a complete
 * run also rewrites the generated section of docs/performance.md. `--profile`
 * then takes CPU profiles of the services behind the missed targets.
 * Not a test: it asserts nothing, and exits 0 whether targets are met or not
 * (1 when a section could not run).
 */
import { cpus, loadavg } from 'node:os';
import { STACK } from '../stack/stack-services';
import { buildApps } from '../stack/build';
import { benchDecide } from './decide-bench';
import { benchGateway } from './gateway-bench';
import { benchLimit } from './limit';
import { profileMissedTargets } from './profile-missed';
import { renderProfiles } from './profile-render';
import type { BenchReport } from './report';
import { out } from './out';
import { completeRun, writePerformanceDoc } from './performance-doc';
import { BENCH_USAGE, BenchUsageError, benchSettings, type Section } from './settings';
import { benchSettlement } from './settlement-bench';
import { renderReport } from './table';
import { evaluateTargets } from './targets';
import { writeReport } from './write-report';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    out(BENCH_USAGE);
    return;
  }
  const settings = benchSettings(argv, process.env);
  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    machine: { platform: process.platform, arch: process.arch, cpus: cpus().length, node: process.version, loadAverageAtStart: loadavg() },
    seconds: settings.seconds,
    batchSize: settings.batchSize,
    load: [],
    settlement: [],
    memory: [],
    targets: [],
    notes: [],
    profiles: [],
  };
  if (settings.skipBuild) out('--skip-build: running the bundles already in dist/apps');
  else buildApps(STACK.map((service) => service.project));

  /** A section that fails leaves a note; the others still run and the figures so far are kept. */
  let failed = false;
  const section = async (name: Section, title: string, run: () => Promise<void>) => {
    if (!settings.sections.includes(name)) return;
    out(title);
    try {
      await run();
    } catch (error) {
      failed = true;
      const message = error instanceof Error ? error.message : String(error);
      report.notes.push(`the ${name} section failed: ${message}`);
      out(`  failed: ${message}`);
    }
  };
  await section('limit', 'the limit: a bare Express route', async () => {
    report.load.push(...(await benchLimit(settings)));
  });
  await section('decide', 'policy decide', async () => {
    report.load.push(...(await benchDecide(settings, report.notes)));
  });
  await section('gateway', 'paid call through the gateway, mock payment mode (npm start)', async () => {
    const gateway = await benchGateway(settings);
    report.load.push(...gateway.load);
    report.memory.push(...gateway.memory);
  });
  await section(
    'settlement',
    'paid call in chain mode on the local Hardhat node (npm start), settlements batched then single, then settlement per call vs payBatch',
    async () => {
      const chain = await benchSettlement(settings);
      report.load.push(...chain.load);
      report.memory.push(...chain.memory);
      report.settlement.push(...chain.settlement);
    },
  );
  report.targets = evaluateTargets(report.load, report.settlement, report.memory);
  report.finishedAt = new Date().toISOString();
  out(renderReport(report));

  if (settings.profile) {
    report.profiles = await profileMissedTargets(report.targets, settings, report.notes);
    out(renderProfiles(report.profiles));
  } else if (report.targets.some((target) => target.met === false)) {
    out('Targets were missed: `npm run bench -- --profile` also profiles the services behind them and prints where the time goes.');
  }
  const files = writeReport(report);
  out(`figures written to ${files.join(' and ')}`);
  if (completeRun(settings.sections, failed)) out(`figures written to the generated section of ${writePerformanceDoc(report)}`);
  else out('docs/performance.md left as it is: only a complete run of every section rewrites its figures');
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  const message =
    error instanceof BenchUsageError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`bench failed: ${message}\n`);
  process.exitCode = 1;
});
