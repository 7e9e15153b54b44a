import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ConfigError } from './config-error';

/**
 * The stack's Ed25519 key pairs: the signer holds the private half, whoever
 * checks holds the public one.
 * - `grant`: the policy signs each hold's grant; the payment service checks it.
 * - `receipt`: the payment service signs each mock payment's receipt; the
 *   providers check it.
 * Each variable holds a PEM, base64-encoded on one line so it fits a .env
 * file: PKCS8 for the private key, SPKI for the public one. Make a pair with
 * `openssl genpkey -algorithm ed25519 | base64 -w0` and
 * `openssl pkey -pubout | base64 -w0`; `npm start` writes one in a new .env.
 * A raw PEM is taken too. No defaults, and no value is ever echoed.
 */
export const SIGNING_KEY_PAIRS = {
  grant: { privateName: 'POLICY_GRANT_PRIVATE_KEY', publicName: 'POLICY_GRANT_PUBLIC_KEY', signer: 'the policy', signs: 'grants' },
  receipt: {
    privateName: 'PAYMENT_RECEIPT_PRIVATE_KEY',
    publicName: 'PAYMENT_RECEIPT_PUBLIC_KEY',
    signer: 'the payment service',
    signs: 'payment receipts',
  },
} as const;
export type SigningKeyPair = keyof typeof SIGNING_KEY_PAIRS;

/** The private key the pair's signer signs with. */
export function loadSigningKey(pair: SigningKeyPair, env: NodeJS.ProcessEnv = process.env): KeyObject {
  const { privateName, signer, signs } = SIGNING_KEY_PAIRS[pair];
  return readKey(privateName, env[privateName], 'private', `the Ed25519 private key ${signer} signs ${signs} with`);
}

/** The public key the pair's signatures are checked with. */
export function loadVerifyingKey(pair: SigningKeyPair, env: NodeJS.ProcessEnv = process.env): KeyObject {
  const { publicName, signer, signs } = SIGNING_KEY_PAIRS[pair];
  return readKey(publicName, env[publicName], 'public', `the Ed25519 public key of ${signer}, for its ${signs}`);
}

/** A fresh pair, in the format the two variables take. */
export function generateSigningKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey: encodeSigningKey(privateKey), publicKey: encodeSigningKey(publicKey) };
}

/** A key as a variable holds it: its PEM (PKCS8 or SPKI), base64-encoded. */
export function encodeSigningKey(key: KeyObject): string {
  const pem = key.type === 'private' ? key.export({ type: 'pkcs8', format: 'pem' }) : key.export({ type: 'spki', format: 'pem' });
  return Buffer.from(pem).toString('base64');
}

function readKey(name: string, value: string | undefined, type: 'private' | 'public', what: string): KeyObject {
  const problem = (message: string) => new ConfigError([{ source: `environment variable ${name}`, path: '', message }]);
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
