/**
 * Least privilege for the processes of the stack (docs/architecture.md §9): which
 * secrets each one gets. `npm start` hands each process its environment
 * through `processEnvironment`, and the checks of docker-compose.yml hold
 * each container to the same table. A secret of the environment that the
 * table does not give a process never reaches it.
 */
import { createHash } from 'node:crypto';
import { Wallet, getAddress } from 'ethers';
import { SERVICE_CALLERS, callerDigestEnv, callerTokenEnv, CALLERS_ACCEPTED_BY } from '@nexus/types';

/** Process → the secrets it gets: its own token, the token hashes of its callers, and the keys it signs with. */
export const PROCESS_SECRETS: Readonly<Record<string, readonly string[]>> = {
  policy: ['POLICY_TOKEN', ...CALLERS_ACCEPTED_BY.policy.map(callerDigestEnv), 'POLICY_GRANT_PRIVATE_KEY'],
  // the payee keys too: it signs the router's refund when a provider holds no key of its own
  payment: [
    'PAYMENT_TOKEN',
    ...CALLERS_ACCEPTED_BY.payment.map(callerDigestEnv),
    'TREASURY_PRIVATE_KEY',
    'PAYEE_PRIVATE_KEYS',
    'POLICY_GRANT_PUBLIC_KEY',
    'PAYMENT_RECEIPT_PRIVATE_KEY',
  ],
  logger: ['LOGGER_TOKEN', ...CALLERS_ACCEPTED_BY.logger.map(callerDigestEnv)],
  'image-gen': ['IMAGE_GEN_TOKEN', 'IMAGE_GEN_PAYEE_PRIVATE_KEY', 'PAYMENT_RECEIPT_PUBLIC_KEY'],
  'price-oracle': ['PRICE_ORACLE_TOKEN', 'PRICE_ORACLE_PAYEE_PRIVATE_KEY', 'PAYMENT_RECEIPT_PUBLIC_KEY'],
  'batch-compute': ['BATCH_COMPUTE_TOKEN', 'BATCH_COMPUTE_PAYEE_PRIVATE_KEY', 'PAYMENT_RECEIPT_PUBLIC_KEY'],
  'log-archive': ['LOG_ARCHIVE_TOKEN', 'LOG_ARCHIVE_PAYEE_PRIVATE_KEY', 'PAYMENT_RECEIPT_PUBLIC_KEY'],
  gateway: [
    'GATEWAY_TOKEN',
    'ADMIN_API_KEY',
    'AGENT_API_KEYS',
    'OPENAI_API_KEY',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
  ],
};

/** A variable that holds a secret (or a token's hash, handed out as strictly): only the table gives it to a process. */
export const isSecretName = (name: string): boolean =>
  /(TOKEN|TOKEN_SHA256|KEY|KEYS|PASSWORD|SECRET)$/.test(name) || /PRIVATE_KEY|^AWS_ACCESS_KEY_ID$/.test(name);

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * The stack's environment with what `npm start` derives from it: each
 * caller's token hash from its token (the token wins over a stale hash), and
 * each provider's own payee key picked out of PAYEE_PRIVATE_KEYS by its payee
 * address (`payees`: provider project → address), unless it has one.
 */
export function withDerivedSecrets(env: Record<string, string>, payees: ReadonlyMap<string, string>): Record<string, string> {
  const derived: Record<string, string> = {};
  for (const caller of SERVICE_CALLERS) {
    const token = env[callerTokenEnv(caller)];
    if (token) derived[callerDigestEnv(caller)] = sha256(token);
  }
  const listed = (env['PAYEE_PRIVATE_KEYS'] ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => /^(0x)?[0-9a-fA-F]{64}$/.test(key));
  for (const [project, payee] of payees) {
    const name = PROCESS_SECRETS[project]?.find((secret) => secret.endsWith('_PAYEE_PRIVATE_KEY'));
    if (!name || env[name]) continue;
    const key = listed.find((candidate) => new Wallet(candidate).address === getAddress(payee));
    if (key) derived[name] = key;
  }
  return { ...env, ...derived };
}

/** What one process of `npm start` gets: every variable that is not a secret, and the secrets the table gives it. */
export function processEnvironment(project: string, env: Record<string, string>): Record<string, string> {
  const own = new Set(PROCESS_SECRETS[project] ?? []);
  return Object.fromEntries(Object.entries(env).filter(([name]) => !isSecretName(name) || own.has(name)));
}
