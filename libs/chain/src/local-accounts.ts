import { HDNodeWallet, Mnemonic } from 'ethers';

/** Hardhat's well-known development mnemonic: public, for local chains (chainId 31337) only. */
export const HARDHAT_MNEMONIC = 'test test test test test test test test test test test junk';
export const LOCAL_CHAIN_ID = 31337;
/** Hardhat account that deploys the contracts and is the local treasury. */
export const LOCAL_TREASURY_ACCOUNT = 0;
/** Hardhat accounts of the providers' payees, in config/services.yaml order. */
export const LOCAL_PAYEE_ACCOUNTS: readonly number[] = [1, 2, 3, 4];

/** Hardhat development account `index` (0 deploys and is the local treasury; 1–4 are the providers' payees). */
export function localAccount(index: number): HDNodeWallet {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_MNEMONIC), `m/44'/60'/0'/0/${index}`);
}

/** How many accounts Hardhat's node funds from its mnemonic (its default). */
export const HARDHAT_ACCOUNT_COUNT = 20;

let devAccounts: ReadonlyMap<string, number> | undefined;

/** Lower-cased address and private key of each of Hardhat's funded accounts → its index (derived once). */
function hardhatAccounts(): ReadonlyMap<string, number> {
  if (!devAccounts) {
    const root = HDNodeWallet.fromSeed(Mnemonic.fromPhrase(HARDHAT_MNEMONIC).computeSeed());
    const entries = new Map<string, number>();
    for (let index = 0; index < HARDHAT_ACCOUNT_COUNT; index += 1) {
      const wallet = root.derivePath(`m/44'/60'/0'/0/${index}`);
      entries.set(wallet.address.toLowerCase(), index);
      entries.set(wallet.privateKey.toLowerCase(), index);
    }
    devAccounts = entries;
  }
  return devAccounts;
}

/** The index of the Hardhat development account this key or address belongs to, if it is one (their keys are public). */
export function hardhatAccountOf(keyOrAddress: string): number | undefined {
  const value = keyOrAddress.trim().toLowerCase();
  return hardhatAccounts().get(value.startsWith('0x') ? value : `0x${value}`);
}

/** The keys (or addresses) a comma-separated environment variable gives, each named by that variable. */
export function envAccountSettings(name: string, env: NodeJS.ProcessEnv): AccountSetting[] {
  return (env[name] ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean)
    .map((value) => ({ source: `environment variable ${name}`, path: '', value }));
}

/** A key or address the configuration gives, and where it comes from (never echoed). */
export interface AccountSetting {
  /** the environment variable or file (`environment variable TREASURY_PRIVATE_KEY`, `services.yaml`) */
  source: string;
  /** the field inside it, empty for a variable */
  path: string;
  value: string;
}

/**
 * On any chain but the local one (31337), each setting that is one of
 * Hardhat's public development keys or addresses, as a start-up problem:
 * anyone can sign with those keys, so money sent to or held by them is
 * anyone's. None on the local chain. The value itself is never echoed.
 */
export function devAccountProblems(
  chainId: number,
  settings: readonly AccountSetting[],
): { source: string; path: string; message: string }[] {
  if (chainId === LOCAL_CHAIN_ID) return [];
  return settings.flatMap((setting) => {
    const index = hardhatAccountOf(setting.value);
    return index === undefined
      ? []
      : [
          {
            source: setting.source,
            path: setting.path,
            message: `is Hardhat's public development account #${index}, whose key anyone has: refused on chain ${chainId} (only the local chain ${LOCAL_CHAIN_ID} may use it)`,
          },
        ];
  });
}
