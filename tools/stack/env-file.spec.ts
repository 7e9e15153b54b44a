import { createHash, createPublicKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localAccount } from '@nexus/chain';
import { loadSigningKey, loadVerifyingKey } from '@nexus/config';
import { parseEnv } from 'node:util';
import { SERVICE_CALLERS, callerDigestEnv, callerTokenEnv } from '@nexus/types';
import { addLocalChainKeys, addServiceTokens, addSigningKeys, loadEnvFile } from './env-file';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'nexus-env-')), '.env');

describe('the local .env', () => {
  it('is written with fresh secrets, readable by its owner only, when missing', () => {
    const path = fresh();
    const first = loadEnvFile(path, {});
    expect(first.created).toBe(true);
    for (const caller of SERVICE_CALLERS) {
      const token = first.env[callerTokenEnv(caller)] ?? '';
      expect(token).toMatch(/^[0-9a-f]{48}$/);
      expect(first.env[callerDigestEnv(caller)]).toBe(createHash('sha256').update(token).digest('hex'));
    }
    expect(new Set(SERVICE_CALLERS.map((caller) => first.env[callerTokenEnv(caller)])).size).toBe(SERVICE_CALLERS.length);
    expect(first.env).not.toHaveProperty('INTERNAL_TOKEN');
    expect(first.env['ADMIN_API_KEY']).toMatch(/^[0-9a-f]{48}$/);
    expect(first.env['AGENT_API_KEYS']).toMatch(/^user-agent:[0-9a-f]{48},batch-agent:[0-9a-f]{48},ops-agent:[0-9a-f]{48}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const other = loadEnvFile(fresh(), {});
    expect(other.env['GATEWAY_TOKEN']).not.toBe(first.env['GATEWAY_TOKEN']);
  });

  it("holds Hardhat's public development keys for the local chain, marked as such", () => {
    const path = fresh();
    const { env } = loadEnvFile(path, {});
    expect(env['TREASURY_PRIVATE_KEY']).toBe(localAccount(0).privateKey);
    expect(env['PAYEE_PRIVATE_KEYS']?.split(',')).toEqual([1, 2, 3, 4].map((index) => localAccount(index).privateKey));
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(
      /^# Hardhat's PUBLIC development keys.*local chain only.*replace them for a real network\.\nTREASURY_PRIVATE_KEY=/m,
    );
    expect(loadEnvFile(fresh(), {}).env['TREASURY_PRIVATE_KEY']).toBe(env['TREASURY_PRIVATE_KEY']);
  });

  it('is kept as it is when present', () => {
    const path = fresh();
    writeFileSync(path, 'GATEWAY_TOKEN=mine-and-long-enough\n');
    const { env, created } = loadEnvFile(path, {});
    expect(created).toBe(false);
    expect(env['GATEWAY_TOKEN']).toBe('mine-and-long-enough');
    expect(readFileSync(path, 'utf8')).toBe('GATEWAY_TOKEN=mine-and-long-enough\n');
  });

  it('is not written when the caller only reads it, and then the environment is all there is', () => {
    const path = fresh();
    const { env, created } = loadEnvFile(path, { NEXUS_TEST_ONLY_VAR: 'from-environment' }, { create: false });
    expect(created).toBe(false);
    expect(existsSync(path)).toBe(false);
    expect(env).toEqual({ NEXUS_TEST_ONLY_VAR: 'from-environment' });
  });

  it('gives way to variables already set in the environment', () => {
    const path = fresh();
    writeFileSync(path, 'NEXUS_TEST_ONLY_VAR=from-file\n');
    expect(loadEnvFile(path, { NEXUS_TEST_ONLY_VAR: 'from-environment' }).env['NEXUS_TEST_ONLY_VAR']).toBe('from-environment');
    expect(loadEnvFile(path, {}).env['NEXUS_TEST_ONLY_VAR']).toBe('from-file');
  });
});

describe('addLocalChainKeys', () => {
  it('appends the public development keys to an older .env that lacks them, once, keeping what was there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nexus-env-keys-'));
    const path = join(dir, '.env');
    writeFileSync(path, 'GATEWAY_TOKEN=keep-me-0123456789');

    expect(addLocalChainKeys(path)).toBe(true);
    expect(addLocalChainKeys(path)).toBe(false);

    const env = parseEnv(readFileSync(path, 'utf8'));
    expect(env['GATEWAY_TOKEN']).toBe('keep-me-0123456789');
    expect(env['IMAGE_GEN_PAYEE_PRIVATE_KEY']).toBe(localAccount(1).privateKey);
    expect(env['TREASURY_PRIVATE_KEY']).toBe(localAccount(0).privateKey);
    expect(readFileSync(path, 'utf8').match(/^TREASURY_PRIVATE_KEY=/gm)).toHaveLength(1);
  });
});

describe('addSigningKeys', () => {
  it("appends a fresh pair of each signer's keys to an older .env, once, keeping what was there", () => {
    const dir = mkdtempSync(join(tmpdir(), 'nexus-env-grants-'));
    const path = join(dir, '.env');
    writeFileSync(path, 'INTERNAL_TOKEN=keep-me-0123456789');

    expect(addSigningKeys(path)).toEqual(['grant', 'receipt']);
    expect(addSigningKeys(path)).toEqual([]);

    const env = parseEnv(readFileSync(path, 'utf8'));
    expect(env['INTERNAL_TOKEN']).toBe('keep-me-0123456789');
    for (const pair of ['grant', 'receipt'] as const) {
      const signing = loadSigningKey(pair, env);
      expect(createPublicKey(signing).export({ format: 'jwk' })).toEqual(loadVerifyingKey(pair, env).export({ format: 'jwk' }));
    }
    expect(readFileSync(path, 'utf8').match(/^POLICY_GRANT_PRIVATE_KEY=/gm)).toHaveLength(1);
  });

  it('adds only the pair an older .env lacks: the receipt keys beside grant keys already there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nexus-env-receipts-'));
    const path = join(dir, '.env');
    writeFileSync(path, 'POLICY_GRANT_PRIVATE_KEY=kept\nPOLICY_GRANT_PUBLIC_KEY=kept\n');

    expect(addSigningKeys(path)).toEqual(['receipt']);
    const env = parseEnv(readFileSync(path, 'utf8'));
    expect(env['POLICY_GRANT_PRIVATE_KEY']).toBe('kept');
    expect(loadVerifyingKey('receipt', env).asymmetricKeyType).toBe('ed25519');
  });

  it('writes a different pair in every fresh .env', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nexus-env-grants-'));
    const first = loadEnvFile(join(dir, 'a.env'), {}).env;
    const second = loadEnvFile(join(dir, 'b.env'), {}).env;
    expect(loadSigningKey('grant', first).asymmetricKeyType).toBe('ed25519');
    expect(loadSigningKey('receipt', first).asymmetricKeyType).toBe('ed25519');
    expect(first['POLICY_GRANT_PRIVATE_KEY']).not.toBe(second['POLICY_GRANT_PRIVATE_KEY']);
    expect(first['PAYMENT_RECEIPT_PRIVATE_KEY']).not.toBe(second['PAYMENT_RECEIPT_PRIVATE_KEY']);
  });
});

describe('addServiceTokens', () => {
  it('gives an older .env (one INTERNAL_TOKEN for all) a token and its hash for every caller, once, keeping the tokens it has', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nexus-env-tokens-'));
    const path = join(dir, '.env');
    writeFileSync(path, 'INTERNAL_TOKEN=old-shared-secret-0123\nGATEWAY_TOKEN=keep-me-0123456789\n');

    expect(addServiceTokens(path)).toBe(true);
    expect(addServiceTokens(path)).toBe(false);

    const env = parseEnv(readFileSync(path, 'utf8'));
    expect(env['GATEWAY_TOKEN']).toBe('keep-me-0123456789');
    for (const caller of SERVICE_CALLERS.filter((c) => c !== 'gateway')) {
      const token = env[callerTokenEnv(caller)] ?? '';
      expect(token).toMatch(/^[0-9a-f]{48}$/);
      expect(env[callerDigestEnv(caller)]).toBe(createHash('sha256').update(token).digest('hex'));
    }
  });
});
