import { CANCEL_AUTHORIZATION_TYPES, MNEEToken__factory, decodeTokenEvents, revertReasonOf, tokenEventTopics } from '@nexus/chain';
import { Contract, getAddress, zeroPadValue } from 'ethers';
import type { ChainAccess } from '../chain/chain-settler';

/** Where an authorization the treasury signed stands on chain. */
export type AuthorizationUse =
  /** a transfer used it: the money moved */
  | { kind: 'used'; txHash: string; blockNumber: number; gasUsed: bigint }
  /** the treasury canceled it: it can never move anything */
  | { kind: 'canceled'; txHash: string | null }
  /** neither yet: it may still land until its validBefore */
  | { kind: 'unused' }
  /** the token marks it used, but its event was not found (yet): ask again later */
  | { kind: 'unknown' };

/** What the authorization moves: the treasury's `value` token units to `to`, once, under `nonce`. */
export interface AuthorizationTerms {
  nonce: string;
  to: string;
  /** token units */
  value: bigint;
}

const tokenInterface = MNEEToken__factory.createInterface();
const STATE_ABI = ['function authorizationState(address authorizer, bytes32 nonce) view returns (bool)'];

/**
 * The chain's word on the ERC-3009 authorizations the treasury signs for
 * external x402 services (docs/x402.md, "Paying x402 APIs"): never the
 * service's. A settlement counts only when its receipt shows the token's
 * `AuthorizationUsed(treasury, nonce)` and its `Transfer(treasury → payTo,
 * value)`; an unused authorization is canceled by the treasury, through its
 * one sender (nonces, lock), when the service did not serve the call.
 */
export class X402AuthorizationChain {
  private readonly token: Contract;
  private readonly treasury: string;

  constructor(private readonly chain: ChainAccess) {
    this.token = new Contract(chain.token.address, STATE_ABI, chain.provider);
    this.treasury = getAddress(chain.sender.address);
  }

  /** The use `txHash` claims, when its receipt shows exactly this authorization paying `to` its value; undefined otherwise. */
  async settlementIn(txHash: string, terms: AuthorizationTerms): Promise<Extract<AuthorizationUse, { kind: 'used' }> | undefined> {
    if (!/^0x[0-9a-fA-F]{64}$/.test(txHash)) return undefined;
    const receipt = await this.chain.provider.getTransactionReceipt(txHash);
    if (!receipt || receipt.status !== 1) return undefined;
    const events = decodeTokenEvents(receipt.logs, this.chain.token.address);
    const used = events.authorizationsUsed.some(
      (event) => getAddress(event.authorizer) === this.treasury && event.nonce.toLowerCase() === terms.nonce.toLowerCase(),
    );
    const moved = events.transfers.some(
      (transfer) =>
        getAddress(transfer.from) === this.treasury && getAddress(transfer.to) === getAddress(terms.to) && transfer.value === terms.value,
    );
    return used && moved ? { kind: 'used', txHash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed } : undefined;
  }

  /** Whether the authorization was used (and by which transaction), canceled, or neither yet. */
  async lookUp(nonce: string): Promise<AuthorizationUse> {
    const marked = (await this.token.getFunction('authorizationState')(this.treasury, nonce)) as boolean;
    if (!marked) return { kind: 'unused' };
    const [used] = await this.logsOf(tokenEventTopics.authorizationUsed, nonce);
    if (used) {
      const receipt = await this.chain.provider.getTransactionReceipt(used.transactionHash);
      if (!receipt) return { kind: 'unknown' };
      return { kind: 'used', txHash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
    }
    const [canceled] = await this.logsOf(tokenEventTopics.authorizationCanceled, nonce);
    return canceled ? { kind: 'canceled', txHash: canceled.transactionHash } : { kind: 'unknown' };
  }

  /** The latest block's time (unix seconds): the token checks `validBefore` against it, not against our clock. */
  async blockTime(): Promise<bigint> {
    const block = await this.chain.provider.getBlock('latest');
    if (!block) throw new Error('the chain has no latest block');
    return BigInt(block.timestamp);
  }

  /**
   * Cancels the authorization on chain (`cancelAuthorization` signed by the
   * treasury, sent through its one sender). A cancel that reverts (the
   * authorization was used, or canceled, meanwhile) answers where it stands.
   */
  async cancel(nonce: string, domain: { name: string; version: string }): Promise<AuthorizationUse> {
    const typedDomain = { ...domain, chainId: this.chain.chainId, verifyingContract: getAddress(this.chain.token.address) };
    const signature = await this.chain.sender.signTypedData(typedDomain, CANCEL_AUTHORIZATION_TYPES, {
      authorizer: this.treasury,
      nonce,
    });
    const data = tokenInterface.encodeFunctionData('cancelAuthorization(address,bytes32,bytes)', [this.treasury, nonce, signature]);
    let hash: string;
    try {
      hash = await this.chain.sender.send({ to: this.chain.token.address, data });
    } catch (error) {
      // the estimate reverted: nothing was sent; the authorization is used or canceled already
      if (revertReasonOf(error)) return this.lookUp(nonce);
      throw error;
    }
    const receipt = await this.chain.provider.waitForTransaction(hash, 1, this.chain.receiptTimeoutMs);
    if (receipt?.status === 1) return { kind: 'canceled', txHash: receipt.hash };
    return this.lookUp(nonce);
  }

  private logsOf(topic: string, nonce: string) {
    return this.chain.provider.getLogs({
      address: this.chain.token.address,
      topics: [topic, zeroPadValue(this.treasury, 32), nonce],
      fromBlock: this.chain.fromBlock,
      toBlock: 'latest',
    });
  }
}
