/**
 * `npm run demo:x402`: x402 v2 into our providers (docs/x402.md), against a
 * stack started by `npm start` in chain mode. A fresh wallet, funded with 1
 * stand-in MNEE by tools/fund, pays PRICE_ORACLE for an ETH price with the
 * official `@x402/fetch` client; the offer, the price, the settlement and the
 * balances on chain are printed, and the same payment sent again must be
 * refused. Then the other way: the stand-in x402 API EXT_WEATHER is served
 * where services.yaml puts it, and user-agent pays it through the gateway,
 * under its policy; a price above maxPrice is refused before paying. `--json` prints the report (report.ts) instead. Exit code 0 when
 * every check passed, 1 when one did not, 2 when the demo could not run (no
 * stack, mock mode).
 */
import { resolve } from 'node:path';
import { workspaceRoot } from '../stack/build';
import { loadEnvFile } from '../stack/env-file';
import { renderX402Report } from './render-report';
import { x402Report } from './report';
import { runX402Demo } from './run-x402-demo';
import { parseX402DemoArgs, X402_DEMO_USAGE, X402DemoSetupError, x402DemoSettings } from './settings';

const out = (text: string) => process.stdout.write(text);

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (parseX402DemoArgs(argv).help) {
    out(`${X402_DEMO_USAGE}\n`);
    return 0;
  }
  const envPath = resolve(process.env['NEXUS_ENV_FILE'] || resolve(workspaceRoot, '.env'));
  const { env } = loadEnvFile(envPath, process.env, { create: false });
  const settings = x402DemoSettings(argv, env);
  if (!settings.json)
    out(
      `x402 demo: a fresh wallet pays PRICE_ORACLE (${settings.oracleUrl}) with @x402/fetch; user-agent pays ${settings.api.service.id} through the gateway\n\n`,
    );
  const report = x402Report(await runX402Demo(settings));
  out(settings.json ? `${JSON.stringify(report, null, 2)}\n` : renderX402Report(report));
  return report.ok ? 0 : 1;
}

/** Exits once stdout has taken everything written to it (a pipe may still be draining). */
const exit = (code: number) => process.stdout.write('', () => process.exit(code));

main().then(exit, (error: unknown) => {
  const known = error instanceof X402DemoSetupError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`demo:x402: ${known ? message : `unexpected error: ${message}`}\n`, () => exit(known ? 2 : 1));
});
