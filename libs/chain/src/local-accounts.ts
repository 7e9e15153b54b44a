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
