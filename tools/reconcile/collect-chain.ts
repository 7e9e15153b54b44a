import {
  connectRpc,
  decodeRouterEvents,
  decodeTokenEvents,
  readDeployment,
  routerEventTopics,
  tokenEventTopics,
  X402_EXACT_PERMIT2_PROXY_ADDRESS,
  X402ExactPermit2Proxy__factory,
} from '@nexus/chain';
import type { ChainTarget } from '@nexus/config';
import type { TreasuryView } from '@nexus/types';
import { getAddress, zeroPadValue, type JsonRpcProvider } from 'ethers';
import { SourceReadError } from './collect-services';
import type { ChainSnapshot } from './snapshots';

/** The x402 exact Permit2 proxy's `Settled()`: a Permit2 settlement in its transaction. */
const PROXY_SETTLED_TOPIC = X402ExactPermit2Proxy__factory.createInterface().getEvent('Settled').topicHash;

/** Blocks per eth_getLogs request (public RPC endpoints cap the range). */
const BLOCKS_PER_QUERY = 5_000;

/** Where the router events are, as the payment service pays and as the settings describe the chain. */
export interface ChainPlan {
  rpcUrl: string;
  chainId: number;
  router: string;
  treasury: string;
  tokenDecimals: number;
  fromBlock: number;
  deployedAt: string | null;
  /** the token x402 payments move (GET /treasury); its AuthorizationUsed and Transfer events are read when given */
  token?: string;
  /** the providers' payees: the token's transfers to these are read */
  payees?: readonly string[];
}

/**
 * The router and treasury are the payment service's (GET /treasury): they
 * are what the ledger paid through. The settings add the RPC URL and where
 * to start: the local deployment's block (when it is the same router), else
 * RECONCILE_FROM_BLOCK, else block 0.
 */
export function planChainRead(
  target: ChainTarget,
  treasury: TreasuryView,
  fromBlock: number | undefined,
  notes: string[],
  payees: readonly string[] = [],
): ChainPlan {
  if (!treasury.router || !treasury.address || treasury.chainId === null || !treasury.token)
    throw new SourceReadError('the payment service runs in chain mode but its GET /treasury names no router, treasury, chain or token');
  const router = getAddress(treasury.router);
  const plan: ChainPlan = {
    rpcUrl: target.rpcUrl,
    chainId: treasury.chainId,
    router,
    treasury: getAddress(treasury.address),
    tokenDecimals: treasury.token.decimals,
    fromBlock: fromBlock ?? 0,
    deployedAt: null,
    token: getAddress(treasury.token.address),
    payees: [...new Set(payees.map((payee) => getAddress(payee)))],
  };
  if (target.kind === 'configured') {
    if (getAddress(target.routerAddress) !== router)
      notes.push(
        `PAYMENT_ROUTER_ADDRESS here is ${target.routerAddress}; the payment service pays through ${router}, which is the one checked`,
      );
    return plan;
  }
  const deployment = readDeployment(target.deploymentFile);
  if (!deployment) {
    notes.push(`no local deployment file at ${target.deploymentFile}: router events are read from block ${plan.fromBlock}`);
    return plan;
  }
  if (deployment.router !== router || deployment.chainId !== plan.chainId) {
    notes.push(
      `the deployment file ${target.deploymentFile} names router ${deployment.router} on chain ${deployment.chainId}; the payment service pays through ${router} on chain ${plan.chainId}, which is the one checked (set NEXUS_DATA_DIR to the stack's data directory)`,
    );
    return plan;
  }
  return { ...plan, fromBlock: fromBlock ?? deployment.blockNumber, deployedAt: deployment.deployedAt };
}

/**
 * Reads every PaymentMade and PaymentRefunded of the router from the plan's
 * first block to the latest; router logs that do not decode are listed in
 * `malformed`, never thrown (anybody can pay through the router).
 */
export async function collectChain(plan: ChainPlan): Promise<ChainSnapshot> {
  const provider = connectRpc(plan.rpcUrl, plan.chainId);
  try {
    return await readRouterEvents(provider, plan);
  } catch (error: unknown) {
    if (error instanceof SourceReadError) throw error;
    throw new SourceReadError(`the node at ${plan.rpcUrl} did not answer: ${rpcMessage(error)}`, { cause: error });
  } finally {
    provider.destroy();
  }
}

async function readRouterEvents(provider: JsonRpcProvider, plan: ChainPlan): Promise<ChainSnapshot> {
  const chainId = Number(BigInt(String(await provider.send('eth_chainId', []))));
  if (chainId !== plan.chainId)
    throw new SourceReadError(`the node at ${plan.rpcUrl} is chain ${chainId}; the payment service pays on chain ${plan.chainId}`);
  if ((await provider.getCode(plan.router)) === '0x')
    throw new SourceReadError(
      `there is no contract at the router ${plan.router} on the chain at ${plan.rpcUrl} (a restarted node the contracts were not deployed to again?)`,
    );
  const toBlock = await provider.getBlockNumber();
  const snapshot: ChainSnapshot = {
    chainId,
    router: plan.router,
    treasury: plan.treasury,
    tokenDecimals: plan.tokenDecimals,
    fromBlock: plan.fromBlock,
    toBlock,
    deployedAt: plan.deployedAt,
    payments: [],
    refunds: [],
    malformed: [],
    token: plan.token ? getAddress(plan.token) : null,
    payees: [...(plan.payees ?? [])],
    authorizations: [],
    transfers: [],
    permit2Settlements: [],
  };
  for (let from = plan.fromBlock; from <= toBlock; from += BLOCKS_PER_QUERY) {
    const logs = await provider.getLogs({
      address: plan.router,
      topics: [[routerEventTopics.paymentMade, routerEventTopics.paymentRefunded]],
      fromBlock: from,
      toBlock: Math.min(from + BLOCKS_PER_QUERY - 1, toBlock),
    });
    for (const log of logs) {
      const where = { txHash: log.transactionHash, blockNumber: log.blockNumber };
      // Anybody can pay through the router: a log that does not decode is skipped and counted, never thrown.
      const { payments, refunds, malformed } = decodeRouterEvents([log], plan.router);
      for (const event of payments) snapshot.payments.push({ ...event, ...where });
      for (const event of refunds) snapshot.refunds.push({ ...event, ...where });
      for (const skipped of malformed) snapshot.malformed.push({ ...skipped, ...where });
    }
  }
  if (snapshot.token) await readTokenEvents(provider, plan, snapshot, snapshot.token);
  return snapshot;
}

/**
 * The token's side of x402 payments: every AuthorizationUsed (whoever signed
 * it), every Transfer to one of the payees and every Permit2 settlement of
 * the x402 exact Permit2 proxy, from the plan's first block.
 * Logs are only those of transactions that were mined successfully.
 */
async function readTokenEvents(provider: JsonRpcProvider, plan: ChainPlan, snapshot: ChainSnapshot, token: string): Promise<void> {
  const payeeTopics = snapshot.payees.map((payee) => zeroPadValue(payee, 32));
  for (let from = plan.fromBlock; from <= snapshot.toBlock; from += BLOCKS_PER_QUERY) {
    const range = { address: token, fromBlock: from, toBlock: Math.min(from + BLOCKS_PER_QUERY - 1, snapshot.toBlock) };
    const logs = await provider.getLogs({ ...range, topics: [tokenEventTopics.authorizationUsed] });
    if (payeeTopics.length > 0)
      logs.push(...(await provider.getLogs({ ...range, topics: [tokenEventTopics.transfer, null, payeeTopics] })));
    for (const log of logs) {
      const where = { txHash: log.transactionHash, blockNumber: log.blockNumber };
      const { transfers, authorizationsUsed } = decodeTokenEvents([log], token);
      for (const event of authorizationsUsed) snapshot.authorizations.push({ ...event, ...where });
      for (const event of transfers)
        snapshot.transfers.push({ from: event.from, to: event.to, amount: event.value, logIndex: event.logIndex, ...where });
    }
    // the Permit2 path: the proxy's Settled marks the transaction; its Transfer (read above) tells the payment
    const settled = await provider.getLogs({
      address: X402_EXACT_PERMIT2_PROXY_ADDRESS,
      fromBlock: range.fromBlock,
      toBlock: range.toBlock,
      topics: [PROXY_SETTLED_TOPIC],
    });
    for (const log of settled)
      snapshot.permit2Settlements.push({ txHash: log.transactionHash, blockNumber: log.blockNumber, logIndex: log.index });
  }
}

/** An RPC failure in a line: ethers' short message, without the request it carried. */
function rpcMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'shortMessage' in error && typeof error.shortMessage === 'string') {
    const code = 'code' in error && typeof error.code === 'string' ? ` (${error.code})` : '';
    return `${error.shortMessage}${code}`;
  }
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
}
