import { generateKeyPairSync } from 'node:crypto';
import { encodeGrantKey, generateGrantKeyPair, loadGrantSigningKey, loadGrantVerifyingKey } from './grant-keys';
import { problemsOf } from './testing/config-error-of';

describe('the policy grant keys', () => {
  const pair = generateGrantKeyPair();

  it('loads a generated pair: the private key for the policy, the public key for the payment service', () => {
    const env = { POLICY_GRANT_PRIVATE_KEY: pair.privateKey, POLICY_GRANT_PUBLIC_KEY: pair.publicKey };
    expect(loadGrantSigningKey(env)).toMatchObject({ type: 'private', asymmetricKeyType: 'ed25519' });
    expect(loadGrantVerifyingKey(env)).toMatchObject({ type: 'public', asymmetricKeyType: 'ed25519' });
  });

  it('takes a raw PEM too, its newlines written as \\n', () => {
    const pem = Buffer.from(pair.publicKey, 'base64').toString('utf8').replace(/\n/g, '\\n');
    expect(loadGrantVerifyingKey({ POLICY_GRANT_PUBLIC_KEY: pem }).type).toBe('public');
  });

  it('requires each key, naming its variable (no defaults)', () => {
    expect(problemsOf(() => loadGrantSigningKey({}))).toEqual([
      { source: 'environment variable POLICY_GRANT_PRIVATE_KEY', path: '', message: expect.stringContaining('is required') },
    ]);
    expect(problemsOf(() => loadGrantVerifyingKey({ POLICY_GRANT_PUBLIC_KEY: ' ' }))[0]?.source).toBe(
      'environment variable POLICY_GRANT_PUBLIC_KEY',
    );
  });

  it('refuses the wrong half of the pair, another kind of key, or garbage, never echoing the value', () => {
    const rsa = encodeGrantKey(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey);
    const broken = Buffer.from('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----').toString('base64');
    const cases = [
      () => loadGrantVerifyingKey({ POLICY_GRANT_PUBLIC_KEY: pair.privateKey }),
      () => loadGrantSigningKey({ POLICY_GRANT_PRIVATE_KEY: pair.publicKey }),
      () => loadGrantSigningKey({ POLICY_GRANT_PRIVATE_KEY: rsa }),
      () => loadGrantSigningKey({ POLICY_GRANT_PRIVATE_KEY: 'not a key at all' }),
      () => loadGrantSigningKey({ POLICY_GRANT_PRIVATE_KEY: broken }),
    ];
    for (const load of cases) {
      const [problem] = problemsOf(load);
      expect(problem?.message).toMatch(/PEM|Ed25519|readable/);
      expect(problem?.message).not.toContain(pair.privateKey.slice(0, 30));
    }
  });
});
