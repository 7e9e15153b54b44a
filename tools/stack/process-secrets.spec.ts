import { createHash } from 'node:crypto';
import { localAccount } from '@nexus/chain';
import { SERVICE_CALLERS, callerDigestEnv, callerTokenEnv } from '@nexus/types';
import { PROCESS_SECRETS, processEnvironment, withDerivedSecrets } from './process-secrets';
import { STACK } from './stack-services';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const TOKENS = Object.fromEntries(SERVICE_CALLERS.map((caller) => [callerTokenEnv(caller), `token-of-${caller}-0123456789`]));
/** A .env as `npm start` reads it: every secret of the stack, and settings that are not secret. */
const DOT_ENV: Record<string, string> = {
  ...TOKENS,
  INTERNAL_TOKEN: 'the-old-shared-secret-0123',
  ADMIN_API_KEY: 'admin-key-0123456789abcdef',
  AGENT_API_KEYS: 'user-agent:agent-key-0123456789',
  POSTGRES_PASSWORD: 'postgres-password-0123456789',
  GATEWAY_DB_PASSWORD: 'gateway-db-password-0123456789',
  TREASURY_PRIVATE_KEY: localAccount(0).privateKey,
  PAYEE_PRIVATE_KEYS: [1, 2, 3, 4].map((index) => localAccount(index).privateKey).join(','),
  POLICY_GRANT_PRIVATE_KEY: 'grant-private',
  POLICY_GRANT_PUBLIC_KEY: 'grant-public',
  PAYMENT_RECEIPT_PRIVATE_KEY: 'receipt-private',
  PAYMENT_RECEIPT_PUBLIC_KEY: 'receipt-public',
  OPENAI_API_KEY: 'sk-0123456789',
  NEXUS_TREASURY_DAILY_LIMIT: '8.00',
  PAYMENT_MODE: 'chain',
};
const PAYEES = new Map([
  ['image-gen', localAccount(1).address],
  ['price-oracle', localAccount(2).address],
  ['batch-compute', localAccount(3).address],
  ['log-archive', localAccount(4).address],
]);
const stackEnv = withDerivedSecrets(DOT_ENV, PAYEES);
const envOf = (project: string) => processEnvironment(project, stackEnv);
const holders = (name: string) => STACK.map((s) => s.project).filter((project) => name in envOf(project));

describe('the secrets npm start gives each process', () => {
  it('gives the treasury key to the payment service only', () => {
    expect(holders('TREASURY_PRIVATE_KEY')).toEqual(['payment']);
  });

  it('gives each provider its own payee key only (picked out of PAYEE_PRIVATE_KEYS by its payee), and the payment service the list for local refunds', () => {
    expect(envOf('image-gen')['IMAGE_GEN_PAYEE_PRIVATE_KEY']).toBe(localAccount(1).privateKey);
    expect(envOf('log-archive')['LOG_ARCHIVE_PAYEE_PRIVATE_KEY']).toBe(localAccount(4).privateKey);
    for (const [project] of PAYEES) {
      const keys = Object.keys(envOf(project)).filter((name) => name.includes('PRIVATE_KEY'));
      expect({ project, keys }).toEqual({ project, keys: [`${project.toUpperCase().replace(/-/g, '_')}_PAYEE_PRIVATE_KEY`] });
    }
    expect(holders('PAYEE_PRIVATE_KEYS')).toEqual(['payment']);
  });

  it('gives each process its own token and no other, and the services the hashes of the callers they accept', () => {
    for (const { project } of STACK) {
      const tokens = Object.keys(envOf(project)).filter((name) => name.endsWith('_TOKEN'));
      expect({ project, tokens }).toEqual({ project, tokens: [`${project.toUpperCase().replace(/-/g, '_')}_TOKEN`] });
    }
    expect(envOf('policy')).toMatchObject({
      GATEWAY_TOKEN_SHA256: sha256(TOKENS['GATEWAY_TOKEN'] ?? ''),
      PAYMENT_TOKEN_SHA256: sha256(TOKENS['PAYMENT_TOKEN'] ?? ''),
      OPERATOR_TOKEN_SHA256: sha256(TOKENS['OPERATOR_TOKEN'] ?? ''),
    });
    expect(Object.keys(envOf('policy')).filter((name) => name.endsWith('_SHA256'))).toHaveLength(3);
    expect(holders(callerDigestEnv('image-gen'))).toEqual(['payment']);
    expect(Object.keys(envOf('gateway')).filter((name) => name.endsWith('_SHA256'))).toEqual([]);
  });

  it('gives the admin and agent keys and the LLM key to the gateway only, the grant keys to the policy and the payment service, the receipt keys to the payment service and the providers, and the database and old shared secrets to nobody', () => {
    expect(holders('ADMIN_API_KEY')).toEqual(['gateway']);
    expect(holders('AGENT_API_KEYS')).toEqual(['gateway']);
    expect(holders('OPENAI_API_KEY')).toEqual(['gateway']);
    expect(holders('POLICY_GRANT_PRIVATE_KEY')).toEqual(['policy']);
    expect(holders('POLICY_GRANT_PUBLIC_KEY')).toEqual(['payment']);
    expect(holders('PAYMENT_RECEIPT_PRIVATE_KEY')).toEqual(['payment']);
    expect(holders('PAYMENT_RECEIPT_PUBLIC_KEY').sort()).toEqual(['batch-compute', 'image-gen', 'log-archive', 'price-oracle']);
    expect(holders('POSTGRES_PASSWORD')).toEqual([]);
    expect(holders('GATEWAY_DB_PASSWORD')).toEqual([]);
    expect(holders('INTERNAL_TOKEN')).toEqual([]);
  });

  it('passes every setting that is not a secret to every process', () => {
    for (const { project } of STACK) expect(envOf(project)).toMatchObject({ NEXUS_TREASURY_DAILY_LIMIT: '8.00', PAYMENT_MODE: 'chain' });
  });

  it('has a row for every process of the stack', () => {
    expect(Object.keys(PROCESS_SECRETS).sort()).toEqual(STACK.map((s) => s.project).sort());
  });
});
