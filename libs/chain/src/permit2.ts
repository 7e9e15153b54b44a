import { getAddress, type JsonRpcProvider, type TypedDataField } from 'ethers';
import { Permit2__factory, X402ExactPermit2Proxy__factory } from './generated';
import { LOCAL_CHAIN_ID } from './local-accounts';

/**
 * The Permit2 path of x402's `exact` scheme: a token without ERC-3009 (the
 * real MNEE) is paid by a Permit2 `PermitWitnessTransferFrom` the payer signs
 * for the x402 exact Permit2 proxy, which the facilitator settles. Both live
 * at fixed addresses on every network that has them; the local chain gets our
 * stand-ins (contracts-abi/contracts/Permit2.sol, X402ExactPermit2Proxy.sol)
 * at the same addresses, placed with `hardhat_setCode`.
 */

/** Uniswap's canonical Permit2 (the same on every chain; `PERMIT2_ADDRESS` in `@x402/evm`). */
export const PERMIT2_ADDRESS = '0x000000000022D473030F116dDEE9F6B43aC78BA3';
/** The x402 exact Permit2 proxy (`x402ExactPermit2ProxyAddress` in `@x402/evm` 2.27). */
export const X402_EXACT_PERMIT2_PROXY_ADDRESS = '0x402085c248EeA27D92E8b30b2C58ed07f9E20001';

/** The EIP-712 types the payer signs (as `permit2WitnessTypes` of `@x402/evm`). */
export const PERMIT2_WITNESS_TYPES: Record<string, TypedDataField[]> = {
  PermitWitnessTransferFrom: [
    { name: 'permitted', type: 'TokenPermissions' },
    { name: 'spender', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
    { name: 'witness', type: 'Witness' },
  ],
  TokenPermissions: [
    { name: 'token', type: 'address' },
    { name: 'amount', type: 'uint256' },
  ],
  Witness: [
    { name: 'to', type: 'address' },
    { name: 'validAfter', type: 'uint256' },
  ],
};

/** Permit2's EIP-712 domain: name "Permit2", no version, the chain id and its canonical address. */
export const permit2Domain = (chainId: bigint | number) => ({ name: 'Permit2', chainId, verifyingContract: PERMIT2_ADDRESS });

/** What a payer signs on the Permit2 path; amounts and times are bigint (token units, unix seconds). */
export interface Permit2Authorization {
  permitted: { token: string; amount: bigint };
  /** the x402 exact Permit2 proxy */
  spender: string;
  /** a uint256 of Permit2's unordered nonces: bit `nonce & 0xff` of word `nonce >> 8`, used once per owner */
  nonce: bigint;
  /** unix seconds; Permit2 refuses it after */
  deadline: bigint;
  witness: { to: string; validAfter: bigint };
}

/** How a Permit2 nonce (a uint256) is written where a nonce is text (the ledger's `authorization_nonce`): 0x and 64 lower-case hex digits. */
export const permit2NonceHex = (nonce: bigint | string): string => `0x${BigInt(nonce).toString(16).padStart(64, '0')}`;

/** Permit2's bitmap position of a nonce: word `nonce >> 8`, bit `nonce & 0xff`. */
export const permit2NonceBit = (nonce: bigint): { word: bigint; bit: bigint } => ({ word: nonce >> 8n, bit: 1n << (nonce & 0xffn) });

/**
 * Places the Permit2 stand-in and the x402 exact Permit2 proxy at their
 * canonical addresses (`hardhat_setCode`), on the local chain only, and checks
 * the code is there after. Idempotent. The runtime code is what the creation
 * code returns (an `eth_call` of it): neither contract has a constructor, so
 * nothing is lost by never running one. Returns the latest block number when
 * it changed the code (the blocks after it hold the code: a journal replay
 * must place it at the same point, see permit2-placement.ts), undefined when
 * the code was there already.
 */
export async function placePermit2(provider: JsonRpcProvider): Promise<number | undefined> {
  const { chainId } = await provider.getNetwork();
  if (chainId !== BigInt(LOCAL_CHAIN_ID))
    throw new Error(`Permit2 and the x402 proxy are placed on the local chain ${LOCAL_CHAIN_ID} only, not on chain ${chainId}`);
  let placed = false;
  for (const [address, creation] of [
    [PERMIT2_ADDRESS, Permit2__factory.bytecode],
    [X402_EXACT_PERMIT2_PROXY_ADDRESS, X402ExactPermit2Proxy__factory.bytecode],
  ] as const) {
    const runtime = await provider.call({ data: creation });
    if ((await provider.getCode(address)) === runtime) continue;
    await provider.send('hardhat_setCode', [address, runtime]);
    placed = true;
    if ((await provider.getCode(address)) !== runtime)
      throw new Error(`the code at ${getAddress(address)} is not the stand-in's after hardhat_setCode`);
  }
  return placed ? provider.getBlockNumber() : undefined;
}
