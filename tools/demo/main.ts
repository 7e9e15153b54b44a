/**
 * `npm run demo`: plays the three coordination problems against a running
 * stack, through the gateway's public API only, and prints what happened.
 * `--json` prints the DemoReport (demo-report.ts) instead; `--no-reset`
 * keeps the current budgets. Exit code 0 when every expected outcome was
 * seen, 1 when one was not, 2 when the demo could not run (no gateway, keys).
 */
import { resolve } from 'node:path';
import { loadEnvFile } from '../stack/env-file';
import { DemoReport } from './demo-report';
import { DEMO_USAGE, DemoSetupError, demoSettings, parseDemoArgs } from './demo-settings';
import { GatewayClient, GatewayUnreachableError } from '@nexus/clients';
import { renderAlerts, renderApproval, renderIntro, renderProblem, renderResetNotice, renderSummary } from './render-report';
import { runDemo } from './run-demo';
import { PROBLEMS } from './scenario';

const out = (text: string) => process.stdout.write(text);

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (parseDemoArgs(argv).help) {
    out(`${DEMO_USAGE}\n`);
    return 0;
  }
  const envPath = resolve(process.env['NEXUS_ENV_FILE'] || resolve(__dirname, '../..', '.env'));
  const { env } = loadEnvFile(envPath, process.env, { create: false });
  const settings = demoSettings(argv, env, envPath);
  const client = new GatewayClient(settings.gatewayUrl);
  const text = (render: () => string) => {
    if (!settings.json) out(render());
  };
  const report = await runDemo(client, settings, PROBLEMS, {
    resetting: () => text(() => renderResetNotice({ reset: true })),
    ready: (start) => text(() => `${start.reset.done ? '' : renderResetNotice({ reset: false })}${renderIntro(start)}`),
    problem: (problem, index) => text(() => renderProblem(problem, index)),
    approval: (approval) => text(() => renderApproval(approval)),
    alerts: (alerts) => text(() => renderAlerts(alerts)),
  });
  out(settings.json ? `${JSON.stringify(DemoReport.parse(report), null, 2)}\n` : renderSummary(report));
  return report.ok ? 0 : 1;
}

/** Exits once stdout has taken everything written to it (a pipe may still be draining). */
const exit = (code: number) => process.stdout.write('', () => process.exit(code));

main().then(exit, (error: unknown) => {
  const known = error instanceof DemoSetupError || error instanceof GatewayUnreachableError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`demo: ${known ? message : `unexpected error: ${message}`}\n`, () => exit(2));
});
