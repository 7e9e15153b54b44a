import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ConfigError } from './config-error';

/**
 * The policy's grant keys (Ed25519). Each variable holds a PEM, base64-encoded
 * on one line so it fits a .env file: the PKCS8 private key for
 * POLICY_GRANT_PRIVATE_KEY (policy only), the SPKI public key for
 * POLICY_GRANT_PUBLIC_KEY (payment only). Make a pair with
 * `openssl genpkey -algorithm ed25519 | base64 -w0` and
 * `openssl pkey -pubout | base64 -w0`; `npm start` writes one in a new .env.
 * A raw PEM is taken too. No defaults, and no value is ever echoed.
 */

/** The key the policy signs grants with. */
export function loadGrantSigningKey(env: NodeJS.ProcessEnv = process.env): KeyObject {
  return grantKey('POLICY_GRANT_PRIVATE_KEY', env['POLICY_GRANT_PRIVATE_KEY'], 'private');
}

/** The key the payment service verifies grants with. */
export function loadGrantVerifyingKey(env: NodeJS.ProcessEnv = process.env): KeyObject {
  return grantKey('POLICY_GRANT_PUBLIC_KEY', env['POLICY_GRANT_PUBLIC_KEY'], 'public');
}

/** A fresh pair, in the format the two variables take. */
export function generateGrantKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey: encodeGrantKey(privateKey), publicKey: encodeGrantKey(publicKey) };
}

/** A key as a variable holds it: its PEM (PKCS8 or SPKI), base64-encoded. */
export function encodeGrantKey(key: KeyObject): string {
  const pem = key.type === 'private' ? key.export({ type: 'pkcs8', format: 'pem' }) : key.export({ type: 'spki', format: 'pem' });
  return Buffer.from(pem).toString('base64');
}

function grantKey(name: string, value: string | undefined, type: 'private' | 'public'): KeyObject {
  const problem = (message: string) => new ConfigError([{ source: `environment variable ${name}`, path: '', message }]);
  const what = type === 'private' ? 'the Ed25519 private key the policy signs grants with' : 'the Ed25519 public key of the policy';
  if (!value?.trim()) throw problem(`is required (${what}; \`npm start\` writes a pair in .env, see .env.example)`);
  const pem = pemOf(value.trim());
  const header = type === 'private' ? '-----BEGIN PRIVATE KEY-----' : '-----BEGIN PUBLIC KEY-----';
  if (!pem.startsWith(header))
    throw problem(`must be a base64-encoded ${type === 'private' ? 'PKCS8' : 'SPKI'} PEM starting "${header}" (${what})`);
  let key: KeyObject;
  try {
    key = type === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch {
    throw problem(`is not a readable ${type} key (${what})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw problem(`must be an Ed25519 key, not ${key.asymmetricKeyType ?? 'another kind'}`);
  return key;
}

/** A raw PEM (its newlines possibly written as `\n`), or a base64-encoded one. */
function pemOf(value: string): string {
  if (value.startsWith('-----BEGIN')) return value.replace(/\\n/g, '\n');
  return Buffer.from(value, 'base64').toString('utf8');
}
