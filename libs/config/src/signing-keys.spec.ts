import { generateKeyPairSync } from 'node:crypto';
import {
  SIGNING_KEY_PAIRS,
  encodeSigningKey,
  generateSigningKeyPair,
  loadSigningKey,
  loadVerifyingKey,
  type SigningKeyPair,
} from './signing-keys';
import { problemsOf } from './testing/config-error-of';

describe.each(Object.keys(SIGNING_KEY_PAIRS) as SigningKeyPair[])('the %s keys', (kind) => {
  const pair = generateSigningKeyPair();
  const { privateName, publicName } = SIGNING_KEY_PAIRS[kind];

  it('loads a generated pair: the private key for the signer, the public key for whoever checks', () => {
    const env = { [privateName]: pair.privateKey, [publicName]: pair.publicKey };
    expect(loadSigningKey(kind, env)).toMatchObject({ type: 'private', asymmetricKeyType: 'ed25519' });
    expect(loadVerifyingKey(kind, env)).toMatchObject({ type: 'public', asymmetricKeyType: 'ed25519' });
  });

  it('takes a raw PEM too, its newlines written as \\n', () => {
    const pem = Buffer.from(pair.publicKey, 'base64').toString('utf8').replace(/\n/g, '\\n');
    expect(loadVerifyingKey(kind, { [publicName]: pem }).type).toBe('public');
  });

  it('requires each key, naming its variable (no defaults)', () => {
    expect(problemsOf(() => loadSigningKey(kind, {}))).toEqual([
      { source: `environment variable ${privateName}`, path: '', message: expect.stringContaining('is required') },
    ]);
    expect(problemsOf(() => loadVerifyingKey(kind, { [publicName]: ' ' }))[0]?.source).toBe(`environment variable ${publicName}`);
  });

  it('refuses the wrong half of the pair, another kind of key, or garbage, never echoing the value', () => {
    const rsa = encodeSigningKey(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey);
    const broken = Buffer.from('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----').toString('base64');
    const cases = [
      () => loadVerifyingKey(kind, { [publicName]: pair.privateKey }),
      () => loadSigningKey(kind, { [privateName]: pair.publicKey }),
      () => loadSigningKey(kind, { [privateName]: rsa }),
      () => loadSigningKey(kind, { [privateName]: 'not a key at all' }),
      () => loadSigningKey(kind, { [privateName]: broken }),
    ];
    for (const load of cases) {
      const [problem] = problemsOf(load);
      expect(problem?.message).toMatch(/PEM|Ed25519|readable/);
      expect(problem?.message).not.toContain(pair.privateKey.slice(0, 30));
    }
  });
});
