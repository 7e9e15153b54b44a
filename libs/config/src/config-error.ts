import { NexusError } from '@nexus/types';

export interface ConfigProblem {
  /** The file (or environment variable) the problem is in. */
  source: string;
  /** Dotted path inside it, e.g. `agents.1.dailyBudget`; empty for the whole file. */
  path: string;
  message: string;
}

/** Start-up stops with this: every problem at once, each naming file and field. */
export class ConfigError extends NexusError {
  override readonly name = 'ConfigError';
  constructor(
    readonly problems: readonly ConfigProblem[],
    options?: { cause?: unknown },
  ) {
    super(
      `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.source}${p.path ? ` at ${p.path}` : ''}: ${p.message}`).join('\n'),
      options,
    );
  }
}
