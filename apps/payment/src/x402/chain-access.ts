import { BatchingSettler } from '../chain/batch-settler';
import { ChainSettler, type ChainAccess } from '../chain/chain-settler';
import type { Settler } from '../settler';

/** The chain behind a chain-mode settler (its treasury sender included); none in mock mode. */
export function chainAccessOf(settler: Settler): ChainAccess | undefined {
  if (settler instanceof ChainSettler) return settler.chainAccess;
  if (settler instanceof BatchingSettler) return settler.chain.chainAccess;
  return undefined;
}
