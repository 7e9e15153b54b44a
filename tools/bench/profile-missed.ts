import { join } from 'node:path';
import { startBenchStack } from './bench-stack';
import { summarizeCpuProfile } from './cpu-profile';
import { startPolicy, withTemporaryPostgres } from './decide-bench';
import { runLoad } from './load';
import { paidCallSpec } from './paid-call';
import { profileOf, profiling, startProfilers } from './profiling';
import type { ProfileSummary, TargetResult } from './report';
import { out } from './out';
import type { BenchSettings } from './settings';
import { GOALS } from './goals';
import { BENCH_DIR } from './write-report';

/** The services a paid call goes through, in the order it reaches them. */
const PAID_CALL_PATH = ['gateway', 'policy', 'payment', 'price-oracle', 'logger'];

async function profilePolicy(
  subject: string,
  databaseUrl: string | undefined,
  dir: string,
  settings: BenchSettings,
): Promise<ProfileSummary[]> {
  const policy = await startPolicy(databaseUrl, profiling(dir));
  try {
    await runLoad({ ...policy.spec, connections: 10, seconds: settings.warmupSeconds });
    startProfilers([policy.process.pid]);
    await runLoad({ ...policy.spec, connections: GOALS.decide.connections, seconds: settings.seconds });
  } finally {
    await policy.stop();
  }
  const file = profileOf(dir, policy.process.pid);
  return file ? [summarizeCpuProfile(subject, file)] : [];
}

async function profilePaidCall(dir: string, settings: BenchSettings): Promise<ProfileSummary[]> {
  const { flags, env } = profiling(dir);
  const stack = await startBenchStack({ mode: 'mock', nodeOptions: flags.join(' '), extraEnv: env });
  let pids: Map<string, number>;
  try {
    pids = new Map(stack.services().map(({ project, pid }) => [project, pid]));
    const spec = paidCallSpec(stack);
    await runLoad({ ...spec, connections: 10, seconds: settings.warmupSeconds });
    await stack.reset();
    startProfilers([...pids.values()]);
    await runLoad({ ...spec, connections: GOALS.gateway.connections, seconds: settings.seconds });
  } finally {
    await stack.stop();
  }
  return PAID_CALL_PATH.flatMap((project) => {
    const pid = pids.get(project);
    const file = pid === undefined ? undefined : profileOf(dir, pid);
    return file ? [summarizeCpuProfile(`${project}, paid calls (mock) at ${GOALS.gateway.connections} connections`, file)] : [];
  });
}

/**
 * CPU profiles of the services behind each missed target, taken under the
 * load that missed it (after a warm-up, start-up excluded): the policy alone
 * for decide, every service of a mock stack for the paid call. Settlement is
 * not profiled here: its rows (gas estimated vs fixed) show where its time goes.
 */
export async function profileMissedTargets(
  targets: readonly TargetResult[],
  settings: BenchSettings,
  notes: string[],
): Promise<ProfileSummary[]> {
  const missed = (prefix: string) => targets.some((target) => target.id.startsWith(prefix) && target.met === false);
  const root = join(BENCH_DIR, 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
  const profiles: ProfileSummary[] = [];
  const decideSubject = (store: string) => `policy (${store}), decide at ${GOALS.decide.connections} connections`;
  if (missed('decide-sqlite')) {
    out('profiling the policy on SQLite');
    profiles.push(...(await profilePolicy(decideSubject('SQLite'), undefined, join(root, 'policy-sqlite'), settings)));
  }
  if (missed('decide-postgres')) {
    out('profiling the policy on PostgreSQL');
    const dir = join(root, 'policy-postgres');
    profiles.push(...((await withTemporaryPostgres((url) => profilePolicy(decideSubject('PostgreSQL'), url, dir, settings), notes)) ?? []));
  }
  if (missed('gateway')) {
    out('profiling the services of a paid call (mock)');
    profiles.push(...(await profilePaidCall(join(root, 'paid-call'), settings)));
  }
  return profiles;
}
