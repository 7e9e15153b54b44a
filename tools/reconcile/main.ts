/**
 * `npm run reconcile`: checks that the policy's spend, the payments ledger,
 * the logger's audit trail and the router's transfers on chain agree, and
 * says exactly where they do not. `--json` prints the ReconcileReport
 * (report.ts) instead of the text; `--wait <seconds>` reads again (once a
 * second) while they disagree, for a stack whose last calls are still
 * settling. Exit code 0 when everything agrees, 1 when something disagrees,
 * 2 when a source could not be read (or the settings are incomplete).
 *
 * Settings come from the environment and the .env file (NEXUS_ENV_FILE, or
 * .env at the repository root), which is read but never written.
 */
import { resolve } from 'node:path';
import { loadEnvFile } from '../stack/env-file';
import { renderReport } from './render';
import { runReconcile } from './run';
import { RECONCILE_USAGE, ReconcileSetupError, parseReconcileArgs, reconcileSettings, redact, secretsOf } from './settings';

/** Values never to print, once the settings are read. */
let secrets: string[] = [];

async function main(): Promise<number> {
  const args = parseReconcileArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${RECONCILE_USAGE}\n`);
    return 0;
  }
  const envPath = resolve(process.env['NEXUS_ENV_FILE'] || resolve(__dirname, '../..', '.env'));
  const { env } = loadEnvFile(envPath, process.env, { create: false });
  secrets = secretsOf(env);
  const settings = {
    ...reconcileSettings(env, envPath),
    ...(args.staleAfterSeconds === undefined ? {} : { staleAfterSeconds: args.staleAfterSeconds }),
  };
  const report = await runReconcile(settings, { waitSeconds: args.waitSeconds });
  await write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
  return report.exitCode;
}

/** Resolves once the text is handed to stdout, so exiting right after loses none of it. */
function write(text: string): Promise<void> {
  return new Promise((done) => process.stdout.write(text, () => done()));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const known = error instanceof ReconcileSetupError;
    process.stderr.write(`reconcile: ${redact(known ? message : `unexpected error: ${message}`, secrets)}\n`);
    process.exit(2);
  },
);
