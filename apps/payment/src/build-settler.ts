import {
  DeploymentMissingError,
  LOCAL_CHAIN_ID,
  devAccountProblems,
  envAccountSettings,
  resolveContracts,
  type ChainContracts,
} from '@nexus/chain';
import { ConfigError, optionalPrivateKeys, requirePrivateKey, type ChainEnv, type ServiceConfig } from '@nexus/config';
import type { Logger } from '@nexus/service-kit';
import { Wallet } from 'ethers';
import { BatchingSettler } from './chain/batch-settler';
import { ChainSettler } from './chain/chain-settler';
import { DurableBlocks } from './chain/durable-blocks';
import { loadSettlementEnv, type SettlementEnv } from './chain/settlement-env';
import { createMockSettler } from './mock-settler';
import type { Settler } from './settler';

/** The chain settings resolved to addresses; a missing local deployment is a configuration problem. */
async function resolveChain(chain: ChainEnv): Promise<ChainContracts> {
  try {
    return await resolveContracts(chain.target);
  } catch (error) {
    if (error instanceof DeploymentMissingError)
      throw new ConfigError([{ source: error.path, path: '', message: error.message }], { cause: error });
    throw error;
  }
}

/** The payees of the services this payment service pays (its own copy of services.yaml). */
export type Payees = readonly Pick<ServiceConfig, 'id' | 'payee'>[];

/**
 * Off the local chain, Hardhat's public keys and addresses are refused: anyone
 * could spend from the treasury, take its refunds, or be paid as a payee.
 */
function refuseDevKeys(chainId: number, env: NodeJS.ProcessEnv, payees: Payees): void {
  const keys = (name: string) => envAccountSettings(name, env);
  const payeeSettings = payees.map((service, index) => ({
    source: 'services.yaml',
    path: `services.${index}.payee`,
    value: service.payee,
  }));
  const problems = devAccountProblems(chainId, [...keys('TREASURY_PRIVATE_KEY'), ...keys('PAYEE_PRIVATE_KEYS'), ...payeeSettings]);
  if (problems.length > 0) throw new ConfigError(problems);
}

/**
 * Builds the settler PAYMENT_MODE asks for; in chain mode, payments go in
 * batches or one transaction each as PAYMENT_SETTLEMENT says. Keys are read
 * here and never logged.
 */
export async function buildSettler(
  chain: ChainEnv,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
  servicePayees: Payees = [],
  settlement: SettlementEnv = loadSettlementEnv(env),
): Promise<Settler> {
  if (chain.mode === 'mock') return createMockSettler();
  // a real network's id is known before any RPC call; the local deployment names its own
  if (chain.target.kind === 'configured') refuseDevKeys(chain.target.chainId, env, servicePayees);
  const contracts = await resolveChain(chain);
  refuseDevKeys(contracts.chainId, env, servicePayees);
  const treasury = new Wallet(requirePrivateKey('TREASURY_PRIVATE_KEY', env), contracts.provider);
  if (contracts.treasury && contracts.treasury !== treasury.address) {
    throw new ConfigError([
      {
        source: 'environment variable TREASURY_PRIVATE_KEY',
        path: '',
        message: `is not the key of the deployment's treasury ${contracts.treasury}`,
      },
    ]);
  }
  const payees = optionalPrivateKeys('PAYEE_PRIVATE_KEYS', env).map((key) => new Wallet(key, contracts.provider));
  if (payees.length > 0 && contracts.chainId !== LOCAL_CHAIN_ID)
    logger.warn('payee keys are configured on a real network: this service can sign refunds for those payees');
  // Set by npm start for the node it started and journals: a payment waits for its block to be journaled.
  const journalFile = env['CHAIN_JOURNAL_FILE'];
  const durableBlocks =
    journalFile && chain.target.kind === 'local'
      ? new DurableBlocks({ journalFile, provider: contracts.provider, timeoutMs: Math.min(chain.receiptTimeoutMs, 10_000) })
      : undefined;
  logger.info('chain settlement ready', {
    chainId: contracts.chainId,
    router: contracts.router,
    token: contracts.token.address,
    treasury: treasury.address,
    payeeSigners: payees.length,
    confirmations: chain.confirmations,
    journaled: durableBlocks !== undefined,
    settlement: settlement.mode,
    ...(settlement.mode === 'batch' ? { batchWindowMs: settlement.windowMs, batchMax: settlement.maxPayments } : {}),
  });
  const settler = new ChainSettler({
    provider: contracts.provider,
    chainId: contracts.chainId,
    router: contracts.router,
    token: contracts.token,
    fromBlock: contracts.fromBlock,
    treasury,
    payees,
    confirmations: chain.confirmations,
    retry: chain.rpcRetry,
    receiptTimeoutMs: chain.receiptTimeoutMs,
    logger,
    durableBlocks,
  });
  if (settlement.mode === 'single') return settler;
  return new BatchingSettler({
    chain: settler,
    provider: contracts.provider,
    router: contracts.router,
    treasury: treasury.address,
    windowMs: settlement.windowMs,
    maxPayments: settlement.maxPayments,
    logger,
  });
}
