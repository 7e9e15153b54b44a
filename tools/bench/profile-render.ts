import type { ProfileSummary } from './report';
import { renderTable } from './table';

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** Where the time goes, per profile: the modules and functions with the most self time. */
export function renderProfiles(profiles: readonly ProfileSummary[]): string {
  const lines: string[] = [];
  for (const profile of profiles) {
    lines.push(
      '',
      `CPU profile: ${profile.subject} — ${(profile.totalMs / 1000).toFixed(1)} s on CPU (${profile.file})`,
      ...renderTable(
        [
          { header: 'module', align: 'left' },
          { header: 'self', align: 'right' },
        ],
        profile.topModules.map((entry) => [entry.module, percent(entry.share)]),
      ),
      '',
      ...renderTable(
        [
          { header: 'function', align: 'left' },
          { header: 'where', align: 'left' },
          { header: 'self', align: 'right' },
        ],
        profile.topFunctions.map((entry) => [entry.name, entry.where, percent(entry.share)]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
