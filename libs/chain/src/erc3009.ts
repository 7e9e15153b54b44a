import { getAddress, hexlify, randomBytes, type ContractRunner, type Log, type Signer, type TypedDataField } from 'ethers';
import { MNEEToken__factory } from './generated';

/**
 * ERC-3009 (transfer with authorization) on the MNEE token: what the x402
 * `exact` scheme signs and settles on EVM. The token signs over its EIP-712
 * domain (name, version, chain id, token address): the same one as its permit.
 */

const authorizationFields: TypedDataField[] = [
  { name: 'from', type: 'address' },
  { name: 'to', type: 'address' },
  { name: 'value', type: 'uint256' },
  { name: 'validAfter', type: 'uint256' },
  { name: 'validBefore', type: 'uint256' },
  { name: 'nonce', type: 'bytes32' },
];

/** EIP-712 types for `transferWithAuthorization` (as x402's `exact` scheme signs them). */
export const TRANSFER_WITH_AUTHORIZATION_TYPES: Record<string, TypedDataField[]> = { TransferWithAuthorization: authorizationFields };
/** EIP-712 types for `receiveWithAuthorization` (only the payee may submit it). */
export const RECEIVE_WITH_AUTHORIZATION_TYPES: Record<string, TypedDataField[]> = { ReceiveWithAuthorization: authorizationFields };
/** EIP-712 types for `cancelAuthorization`. */
export const CANCEL_AUTHORIZATION_TYPES: Record<string, TypedDataField[]> = {
  CancelAuthorization: [
    { name: 'authorizer', type: 'address' },
    { name: 'nonce', type: 'bytes32' },
  ],
};

/** A token's EIP-712 domain, as `signTypedData` and x402's `extra` (`name`, `version`) want it. */
export interface TokenDomain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

/** Reads the token's EIP-712 domain from the chain (EIP-5267 `eip712Domain()`). */
export async function readTokenDomain(runner: ContractRunner, tokenAddress: string): Promise<TokenDomain> {
  const domain = await MNEEToken__factory.connect(tokenAddress, runner).eip712Domain();
  return { name: domain.name, version: domain.version, chainId: domain.chainId, verifyingContract: getAddress(domain.verifyingContract) };
}

/** One ERC-3009 authorization; amounts and times are bigint (token units, unix seconds). */
export interface TransferAuthorization {
  from: string;
  to: string;
  /** token units */
  value: bigint;
  /** unix seconds; valid strictly after */
  validAfter: bigint;
  /** unix seconds; valid strictly before */
  validBefore: bigint;
  /** 32 random bytes, hex; used once per `from` */
  nonce: string;
}

/** A fresh random 32-byte authorization nonce. */
export function randomAuthorizationNonce(): string {
  return hexlify(randomBytes(32));
}

/** Signs `transferWithAuthorization` (or `receiveWithAuthorization`) for the token's domain; returns the 65-byte signature. */
export async function signTransferAuthorization(
  signer: Signer,
  domain: TokenDomain,
  authorization: TransferAuthorization,
  types: Record<string, TypedDataField[]> = TRANSFER_WITH_AUTHORIZATION_TYPES,
): Promise<string> {
  return signer.signTypedData(domain, types, authorization);
}

export interface TokenTransferEvent {
  from: string;
  to: string;
  /** token units */
  value: bigint;
  logIndex: number;
}

export interface AuthorizationEvent {
  authorizer: string;
  nonce: string;
  logIndex: number;
}

export interface TokenEvents {
  transfers: TokenTransferEvent[];
  authorizationsUsed: AuthorizationEvent[];
  authorizationsCanceled: AuthorizationEvent[];
}

const tokenInterface = MNEEToken__factory.createInterface();

/**
 * Decodes the token's `Transfer`, `AuthorizationUsed` and `AuthorizationCanceled`
 * events among a receipt's logs; logs of other contracts and other token
 * events (Approval) are ignored. An x402 settlement shows one
 * `AuthorizationUsed(from, nonce)` and one `Transfer(from, to, value)`.
 */
export function decodeTokenEvents(logs: readonly Pick<Log, 'address' | 'topics' | 'data' | 'index'>[], tokenAddress: string): TokenEvents {
  const token = getAddress(tokenAddress);
  const events: TokenEvents = { transfers: [], authorizationsUsed: [], authorizationsCanceled: [] };
  for (const log of logs) {
    if (getAddress(log.address) !== token) continue;
    const parsed = tokenInterface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed?.name === 'Transfer') {
      const [from, to, value] = parsed.args as unknown as [string, string, bigint];
      events.transfers.push({ from, to, value, logIndex: log.index });
    } else if (parsed?.name === 'AuthorizationUsed' || parsed?.name === 'AuthorizationCanceled') {
      const [authorizer, nonce] = parsed.args as unknown as [string, string];
      (parsed.name === 'AuthorizationUsed' ? events.authorizationsUsed : events.authorizationsCanceled).push({
        authorizer,
        nonce,
        logIndex: log.index,
      });
    }
  }
  return events;
}

export const tokenEventTopics = {
  transfer: tokenInterface.getEvent('Transfer').topicHash,
  authorizationUsed: tokenInterface.getEvent('AuthorizationUsed').topicHash,
  authorizationCanceled: tokenInterface.getEvent('AuthorizationCanceled').topicHash,
};

/**
 * An ethers signer as the payer an x402 `exact` client takes (`ExactEvmScheme` of
 * `@x402/evm/exact/client`): its address, and EIP-712 signatures of what the client asks
 * (an ERC-3009 authorization, or a Permit2 `PermitWitnessTransferFrom` with its nested types).
 */
export function x402PayerSigner(signer: { address: string; signTypedData: Signer['signTypedData'] }) {
  return {
    address: signer.address as `0x${string}`,
    signTypedData: async ({
      domain,
      types,
      primaryType,
      message,
    }: {
      domain: Record<string, unknown>;
      types: Record<string, unknown>;
      primaryType: string;
      message: Record<string, unknown>;
    }) => (await signer.signTypedData(domain, typesWithout(types, primaryType), message)) as `0x${string}`,
  };
}

/**
 * The types ethers wants: without `EIP712Domain` (it derives the domain's type
 * itself), and only those reachable from the primary type (ethers refuses an
 * unused type), such as Permit2's `TokenPermissions` and `Witness`.
 */
function typesWithout(types: Record<string, unknown>, primaryType: string): Record<string, TypedDataField[]> {
  const reached: Record<string, TypedDataField[]> = {};
  const visit = (name: string) => {
    const fields = types[name] as TypedDataField[] | undefined;
    if (!fields || name === 'EIP712Domain' || reached[name]) return;
    reached[name] = fields;
    for (const field of fields) visit(field.type.replace(/\[\d*\]$/, ''));
  };
  visit(primaryType);
  return reached;
}
