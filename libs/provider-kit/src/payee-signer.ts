import { ConfigError, optionalPrivateKeys } from '@nexus/config';
import { Wallet, getAddress, type Provider } from 'ethers';

/**
 * The provider's own key, which signs the router's refunds: `<NAME>_PAYEE_PRIVATE_KEY`
 * (it must be the key of the configured payee), else the key of the payee among
 * `PAYEE_PRIVATE_KEYS` (the local stack's list). Undefined when neither holds
 * it: the payment service is then asked to refund. Keys are never echoed.
 */
export function payeeSigner(envPrefix: string, payee: string, provider: Provider, env: NodeJS.ProcessEnv): Wallet | undefined {
  const name = payeeKeyName(envPrefix);
  const own = optionalPrivateKeys(name, env);
  if (own.length > 1) throw new ConfigError([{ source: `environment variable ${name}`, path: '', message: 'must hold one key' }]);
  const expected = getAddress(payee);
  if (own[0]) {
    const wallet = new Wallet(own[0], provider);
    if (wallet.address !== expected)
      throw new ConfigError([
        { source: `environment variable ${name}`, path: '', message: `is not the key of the service's payee ${expected}` },
      ]);
    return wallet;
  }
  const listed = optionalPrivateKeys('PAYEE_PRIVATE_KEYS', env)
    .map((key) => new Wallet(key, provider))
    .find((wallet) => wallet.address === expected);
  return listed;
}

/** The variable of a provider's own payee key (`IMAGE_GEN_PAYEE_PRIVATE_KEY`). */
export function payeeKeyName(envPrefix: string): string {
  return `${envPrefix}_PAYEE_PRIVATE_KEY`;
}
