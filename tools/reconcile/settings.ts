import { ConfigError, loadChainEnv, loadConfig, type ChainEnv } from '@nexus/config';
import { NexusError } from '@nexus/types';

/** Something reconcile needs before it can read anything (exit code 2). */
export class ReconcileSetupError extends NexusError {
  override readonly name = 'ReconcileSetupError';
}

export const RECONCILE_USAGE = 'usage: npm run reconcile [-- --json] [-- --wait <seconds>] [-- --stale-after <seconds>]';

/** A payment PENDING or a hold HELD for longer than this is stuck, not in flight (RECONCILE_STALE_AFTER_SECONDS, --stale-after). */
export const DEFAULT_STALE_AFTER_SECONDS = 900;

export interface ReconcileArgs {
  json: boolean;
  /** keep trying for this long while the sources disagree (a call may still be settling); 0: once */
  waitSeconds: number;
  /** --stale-after: overrides RECONCILE_STALE_AFTER_SECONDS */
  staleAfterSeconds?: number;
  help: boolean;
}

/** The command line: `--json`, `--wait <seconds>` (or `--wait=<seconds>`), `--help`. */
export function parseReconcileArgs(argv: readonly string[]): ReconcileArgs {
  const args: ReconcileArgs = { json: false, waitSeconds: 0, help: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--json') args.json = true;
    else if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--wait' || arg.startsWith('--wait=')) {
      const value = arg === '--wait' ? argv[(i += 1)] : arg.slice('--wait='.length);
      if (value === undefined || !/^\d{1,4}$/.test(value))
        throw new ReconcileSetupError(`--wait needs a number of seconds; ${RECONCILE_USAGE}`);
      args.waitSeconds = Number(value);
    } else if (arg === '--stale-after' || arg.startsWith('--stale-after=')) {
      const value = arg === '--stale-after' ? argv[(i += 1)] : arg.slice('--stale-after='.length);
      if (value === undefined || !/^\d{1,7}$/.test(value))
        throw new ReconcileSetupError(`--stale-after needs a number of seconds; ${RECONCILE_USAGE}`);
      args.staleAfterSeconds = Number(value);
    } else throw new ReconcileSetupError(`unknown argument ${JSON.stringify(arg)}; ${RECONCILE_USAGE}`);
  }
  return args;
}

export interface ReconcileSettings {
  envPath: string;
  urls: { policy: string; payment: string; logger: string };
  /** OPERATOR_TOKEN: the operator's own credential, which may only read the services' lists */
  operatorToken: string;
  chain: ChainEnv;
  /** RECONCILE_FROM_BLOCK: where to start reading router events when no local deployment says (0 otherwise) */
  fromBlock: number | undefined;
  /** values that must never be printed (tokens, keys, passwords) */
  secrets: string[];
  /** a payment PENDING or a hold HELD for longer is a finding (RECONCILE_STALE_AFTER_SECONDS; 900 by default) */
  staleAfterSeconds: number;
  /** the providers' payees (config/services.yaml, NEXUS_CONFIG_DIR, with NEXUS_SERVICE_<ID>_PAYEE), or why they could not be read */
  payees: { addresses: string[] } | { problem: string };
}

/** The payees of config/services.yaml (as the payment service reads them); a config that does not load is said, not thrown. */
export function servicePayees(env: Readonly<Record<string, string>>): { addresses: string[] } | { problem: string } {
  try {
    const { services, x402Services } = loadConfig({ env: { ...env } });
    // an x402 service's payTo too: the treasury's authorizations pay it
    return { addresses: [...services.map((service) => service.payee), ...x402Services.map((service) => service.payTo)] };
  } catch (error: unknown) {
    return { problem: error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error) };
  }
}

/** POLICY_URL (or the loopback address on POLICY_PORT, 8005 by default), and likewise for the payment service and the logger. */
export function serviceUrl(env: Readonly<Record<string, string>>, name: 'POLICY' | 'PAYMENT' | 'LOGGER', defaultPort: number): string {
  const given = env[`${name}_URL`]?.trim();
  if (given) {
    if (!URL.canParse(given)) throw new ReconcileSetupError(`${name}_URL is not a URL: ${JSON.stringify(given)}`);
    return given.replace(/\/+$/, '');
  }
  const port = env[`${name}_PORT`]?.trim() || String(defaultPort);
  if (!/^\d{1,5}$/.test(port)) throw new ReconcileSetupError(`${name}_PORT is not a port: ${JSON.stringify(port)}`);
  return `http://127.0.0.1:${port}`;
}

/** Values of the environment that are secret: never echoed, whatever an error message carries. */
export function secretsOf(env: Readonly<Record<string, string>>): string[] {
  const secrets = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!/TOKEN|KEY|SECRET|PASSWORD/i.test(name) || !value) continue;
    secrets.add(value);
    // lists: `a:k1,b:k2` (agent keys), `k1,k2` (payee keys)
    for (const part of value.split(',')) {
      const key = part.slice(part.indexOf(':') + 1).trim();
      if (key) secrets.add(key);
    }
  }
  return [...secrets].filter((secret) => secret.length >= 8).sort((a, b) => b.length - a.length);
}

/** A message with every secret blanked out. */
export function redact(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) clean = clean.split(secret).join('[redacted]');
  return clean;
}

/** Everything reconcile reads from the environment (the env file merged under the process's own). */
export function reconcileSettings(env: Readonly<Record<string, string>>, envPath: string): ReconcileSettings {
  const operatorToken = env['OPERATOR_TOKEN']?.trim();
  if (!operatorToken)
    throw new ReconcileSetupError(`OPERATOR_TOKEN is not set (looked in ${envPath} and the environment; npm start writes it)`);
  let chain: ChainEnv;
  try {
    chain = loadChainEnv(env['NEXUS_DATA_DIR'] || 'data', env);
  } catch (error: unknown) {
    if (error instanceof ConfigError) throw new ReconcileSetupError(error.message, { cause: error });
    throw error;
  }
  const fromBlock = env['RECONCILE_FROM_BLOCK']?.trim();
  if (fromBlock && !/^\d{1,12}$/.test(fromBlock))
    throw new ReconcileSetupError(`RECONCILE_FROM_BLOCK is not a block number: ${JSON.stringify(fromBlock)}`);
  const staleAfter = env['RECONCILE_STALE_AFTER_SECONDS']?.trim();
  if (staleAfter && !/^\d{1,7}$/.test(staleAfter))
    throw new ReconcileSetupError(`RECONCILE_STALE_AFTER_SECONDS is not a number of seconds: ${JSON.stringify(staleAfter)}`);
  return {
    envPath,
    staleAfterSeconds: staleAfter ? Number(staleAfter) : DEFAULT_STALE_AFTER_SECONDS,
    urls: {
      policy: serviceUrl(env, 'POLICY', 8005),
      payment: serviceUrl(env, 'PAYMENT', 8006),
      logger: serviceUrl(env, 'LOGGER', 8007),
    },
    operatorToken,
    chain,
    fromBlock: fromBlock ? Number(fromBlock) : undefined,
    secrets: secretsOf(env),
    payees: servicePayees(env),
  };
}
