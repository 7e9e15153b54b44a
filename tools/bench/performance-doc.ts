import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '../stack/build';
import { beforeAfterTable } from './before-after';
import { renderProfiles } from './profile-render';
import type { BenchReport } from './report';
import { SECTIONS, type Section } from './settings';
import { renderReport } from './table';

/** The performance page of the docs: a hand-written part, and a section the bench rewrites after each complete run. */
export const PERFORMANCE_DOC = join(workspaceRoot, 'docs', 'performance.md');

export const GENERATED_START =
  '<!-- npm run bench: generated from its JSON report, rewritten on each complete run; edit above or below -->';
export const GENERATED_END = '<!-- end of the generated section -->';

/**
 * The generated section of the page: when and where the run was made, issue
 * 16's targets before its work and in this run (met or missed, by how much),
 * then the report exactly as `npm run bench` prints it (and the profiles,
 * with `--profile`), in a text block so Markdown formatting leaves it alone.
 */
export function generatedSection(report: BenchReport): string {
  const { machine } = report;
  const text = [renderReport(report).trim(), ...(report.profiles.length > 0 ? ['', renderProfiles(report.profiles).trim()] : [])];
  return [
    GENERATED_START,
    '',
    `Run of ${report.startedAt} on ${machine.cpus} cores (${machine.platform} ${machine.arch}, Node ${machine.node}), ` +
      `${report.seconds} s per run; the figures are also in \`tmp/bench/latest.json\`.`,
    '',
    'Issue 16 ("The lean paid call"): its targets, the figures of the run before its work and of this one.',
    '',
    ...beforeAfterTable(report.targets),
    '',
    '```text',
    ...text,
    '```',
    '',
    GENERATED_END,
  ].join('\n');
}

/** The page with its generated section replaced, or added at the end when it has none; the hand-written parts are kept as they are. */
export function withGeneratedSection(doc: string, section: string): string {
  const start = doc.indexOf(GENERATED_START);
  const end = doc.indexOf(GENERATED_END, start);
  if (start === -1 || end === -1) return `${doc.trimEnd()}\n\n${section}\n`;
  return `${doc.slice(0, start)}${section}${doc.slice(end + GENERATED_END.length)}`;
}

/** Only a run of every section that all succeeded replaces the page's figures: a partial run would leave holes in them. */
export function completeRun(sections: readonly Section[], failed: boolean): boolean {
  return !failed && SECTIONS.every((section) => sections.includes(section));
}

/** Rewrites the generated section of docs/performance.md (or another file) from the report; returns the file. */
export function writePerformanceDoc(report: BenchReport, file: string = PERFORMANCE_DOC): string {
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Performance\n';
  writeFileSync(file, withGeneratedSection(doc, generatedSection(report)));
  return file;
}
