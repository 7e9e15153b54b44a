import { z } from 'zod';
import { NexusError } from '@nexus/types';

/** The parts of `npm run bench`, in the order they run. */
export const SECTIONS = ['limit', 'decide', 'gateway', 'settlement'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchSettings {
  /** length of each measured load run */
  seconds: number;
  /** length of the warm-up before a target's first measured run */
  warmupSeconds: number;
  /** payments per payBatch transaction */
  batchSize: number;
  sections: Section[];
  /** use dist/apps as it is */
  skipBuild: boolean;
  /** after measuring, take CPU profiles of the services whose targets were missed */
  profile: boolean;
}

export const BENCH_USAGE = `npm run bench [-- --skip-build] [--profile] [--only=limit,decide,gateway,settlement]

  BENCH_SECONDS     length of each load run (default 5)
  BENCH_BATCH_SIZE  payments per payBatch transaction (default 100, as the payment service's PAYMENT_BATCH_MAX)
  --skip-build      run the bundles already in dist/apps
  --profile         then profile the services of the missed targets (node --cpu-prof) and print where the time goes
  --only=...        run some sections only (comma separated)`;

const Env = z.object({
  BENCH_SECONDS: z.coerce.number().min(1).max(600).default(5),
  BENCH_BATCH_SIZE: z.coerce.number().int().min(2).max(250).default(100),
});

export class BenchUsageError extends NexusError {
  override readonly name = 'BenchUsageError';
}

/** Reads the settings from the environment and the arguments; a BenchUsageError names what is wrong. */
export function benchSettings(argv: readonly string[], env: NodeJS.ProcessEnv): BenchSettings {
  const parsed = Env.safeParse({
    BENCH_SECONDS: env['BENCH_SECONDS'] || undefined,
    BENCH_BATCH_SIZE: env['BENCH_BATCH_SIZE'] || undefined,
  });
  if (!parsed.success)
    throw new BenchUsageError(parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`).join('; '));
  let sections: Section[] = [...SECTIONS];
  for (const arg of argv) {
    if (arg === '--skip-build' || arg === '--profile') continue;
    if (!arg.startsWith('--only=')) throw new BenchUsageError(`unknown argument ${arg}\n\n${BENCH_USAGE}`);
    const wanted = arg.slice('--only='.length).split(',');
    const unknown = wanted.filter((name) => !(SECTIONS as readonly string[]).includes(name));
    if (unknown.length > 0 || wanted.length === 0)
      throw new BenchUsageError(`--only takes ${SECTIONS.join(', ')}; not ${unknown.join(', ')}`);
    sections = SECTIONS.filter((section) => wanted.includes(section));
  }
  const seconds = parsed.data.BENCH_SECONDS;
  return {
    seconds,
    warmupSeconds: Math.max(1, Math.round(seconds / 5)),
    batchSize: parsed.data.BENCH_BATCH_SIZE,
    sections,
    skipBuild: argv.includes('--skip-build'),
    profile: argv.includes('--profile'),
  };
}
