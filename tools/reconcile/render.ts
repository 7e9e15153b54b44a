import type { CheckReport, Discrepancy, Notice, ReconcileReport } from './report';
import { CHECK_TITLES } from './report';

/** How many findings of each kind the text report shows; --json lists them all. */
const SHOWN = 50;

const MARK: Record<CheckReport['status'], string> = { PASS: '✓', FAIL: '✗', SKIPPED: '–' };

/** The report for people: one line per check, then every discrepancy with what each side says. */
export function renderReport(report: ReconcileReport): string {
  const lines: string[] = [];
  lines.push(`Reconciliation${report.mode ? ` (${report.mode} mode)` : ''} at ${report.takenAt}`);
  lines.push('');
  const width = Math.max(...report.checks.map((c) => c.title.length));
  for (const check of report.checks) lines.push(`${MARK[check.status]} ${check.title.padEnd(width)}  ${check.summary}`);

  const unread = report.sources.filter((s) => s.status !== 'READ');
  if (unread.length > 0) {
    lines.push('');
    for (const s of unread) {
      lines.push(s.status === 'FAILED' ? `could not read ${s.source} at ${s.where}: ${s.detail}` : `${s.source} not read: ${s.detail}`);
    }
  }

  section(lines, 'Discrepancies', report.discrepancies, renderDiscrepancy);
  section(lines, 'In flight, not discrepancies', report.inFlight, renderNotice);
  section(lines, 'Not checked', report.unchecked, renderNotice);
  if (report.notes.length > 0) {
    lines.push('');
    lines.push('Notes:');
    for (const note of report.notes) lines.push(`  ${note}`);
  }

  lines.push('');
  lines.push(verdict(report));
  return `${lines.join('\n')}\n`;
}

function verdict(report: ReconcileReport): string {
  switch (report.status) {
    case 'AGREE':
      return 'Everything agrees.';
    case 'DISAGREE':
      return `${report.discrepancies.length} discrepanc${report.discrepancies.length === 1 ? 'y' : 'ies'}.`;
    case 'UNREADABLE': {
      const failed = report.sources.filter((s) => s.status === 'FAILED').map((s) => s.source);
      const found = report.discrepancies.length > 0 ? `; ${report.discrepancies.length} discrepancies among what was read` : '';
      return `Could not read ${failed.join(', ')}: the checks that need it were skipped${found}.`;
    }
  }
}

function section<T>(lines: string[], title: string, items: readonly T[], render: (item: T) => string[]): void {
  if (items.length === 0) return;
  lines.push('');
  lines.push(`${title} (${items.length}):`);
  for (const item of items.slice(0, SHOWN)) lines.push(...render(item));
  if (items.length > SHOWN) lines.push(`  … and ${items.length - SHOWN} more (--json lists them all)`);
}

function renderDiscrepancy(d: Discrepancy): string[] {
  const lines = [`  [${CHECK_TITLES[d.check]}] ${d.record.type} ${d.record.id}: ${d.kind}: ${d.message}`];
  for (const [side, says] of Object.entries(d.sides)) lines.push(`      ${side.padEnd(6)} ${says}`);
  return lines;
}

function renderNotice(n: Notice): string[] {
  return [`  [${CHECK_TITLES[n.check]}] ${n.record.type} ${n.record.id}: ${n.message}`];
}
