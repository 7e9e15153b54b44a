import { ReceiptTimeoutError, isTransientRpcError } from '@nexus/chain';
import { NexusError } from '@nexus/types';

/** The chain RPC kept failing after every retry. Thrown instead of the raw socket error, so it is never mistaken for a store outage. */
export class ChainUnavailableError extends NexusError {
  override readonly name = 'ChainUnavailableError';
  readonly code = 'CHAIN_UNAVAILABLE';
  constructor(options: { cause: unknown }) {
    super('the chain RPC did not answer', options);
  }
}

export function isChainUnavailable(error: unknown): boolean {
  return error instanceof ChainUnavailableError || error instanceof ReceiptTimeoutError || isTransientRpcError(error);
}
