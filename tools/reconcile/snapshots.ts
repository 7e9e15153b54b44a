import type { Agent, Decision, LoggedEvent, LogStats, Payment, PaymentMode, Reservation } from '@nexus/types';

/**
 * What reconciliation compares: everything each source says, read in full
 * (every page) before any comparison. Collection (HTTP, RPC) fills these;
 * the checks are pure functions of them.
 */

export interface PolicySnapshot {
  /** the current budget period (the agents' periodId); null when no agent is configured */
  periodId: number | null;
  /** every configured agent with spentToday and reserved of the current period */
  agents: Agent[];
  /** every hold, any status, any period */
  reservations: Reservation[];
  /** every stored decision */
  decisions: Decision[];
}

export interface LedgerSnapshot {
  /** the payment service's mode now (a ledger can also hold payments of an earlier run in the other mode) */
  mode: PaymentMode;
  /** chain mode: where the ledger pays from and through */
  treasury: string | null;
  router: string | null;
  chainId: number | null;
  tokenDecimals: number | null;
  payments: Payment[];
}

export type TransactionLogEvent = Extract<LoggedEvent, { kind: 'transaction' }>;
export type DecisionLogEvent = Extract<LoggedEvent, { kind: 'decision' }>;

export interface LoggerSnapshot {
  transactions: TransactionLogEvent[];
  decisions: DecisionLogEvent[];
  /** GET /stats, unfiltered */
  stats: LogStats;
}

/** A router PaymentMade event. */
export interface ChainPayment {
  paymentRef: string;
  payer: string;
  payee: string;
  /** token units */
  amount: bigint;
  serviceId: string;
  txHash: string;
  blockNumber: number;
}

/** A router PaymentRefunded event. */
export interface ChainRefund {
  paymentRef: string;
  payer: string;
  payee: string;
  /** token units */
  amount: bigint;
  txHash: string;
  blockNumber: number;
}

/** A router log that does not decode (e.g. a service id that is no bytes32 string): skipped and counted, never thrown. */
export interface MalformedChainLog {
  txHash: string;
  blockNumber: number;
  logIndex: number;
  reason: string;
}

/** The token's AuthorizationUsed (ERC-3009): an authorization of `authorizer` with `nonce` was spent in this transaction. */
export interface ChainAuthorization {
  authorizer: string;
  nonce: string;
  txHash: string;
  blockNumber: number;
  logIndex: number;
}

/**
 * The x402 exact Permit2 proxy's `Settled` (it has no arguments): a payment of
 * the Permit2 path of x402's `exact` was settled in this transaction. Permit2
 * emits nothing for the nonce a transfer uses, so the token's Transfer in the
 * same transaction is the evidence of who paid whom how much.
 */
export interface ChainPermit2Settlement {
  txHash: string;
  blockNumber: number;
  logIndex: number;
}

/** A token Transfer to one of the payees read (`ChainSnapshot.payees`). */
export interface ChainTransfer {
  from: string;
  to: string;
  /** token units */
  amount: bigint;
  txHash: string;
  blockNumber: number;
  logIndex: number;
}

export interface ChainSnapshot {
  chainId: number;
  router: string;
  /** payments from this address are the treasury's: the ledger must know each */
  treasury: string;
  tokenDecimals: number;
  fromBlock: number;
  toBlock: number;
  /** when the contracts were deployed (local chain); a ledger payment older than this cannot be on this chain */
  deployedAt: string | null;
  /** every PaymentMade and PaymentRefunded, whoever the payer: the checks keep the treasury's */
  payments: ChainPayment[];
  refunds: ChainRefund[];
  /** router logs that did not decode: anybody can pay through the router */
  malformed: MalformedChainLog[];
  /** the token x402 payments move (ERC-3009); null when the payment service names none */
  token: string | null;
  /** the providers' payees (services.yaml, and every payee of the ledger's x402 payments): transfers to these were read */
  payees: string[];
  /** every AuthorizationUsed of the token, whoever the authorizer */
  authorizations: ChainAuthorization[];
  /** every token Transfer to one of `payees` */
  transfers: ChainTransfer[];
  /** every `Settled` of the x402 exact Permit2 proxy (none where the proxy is not deployed) */
  permit2Settlements: ChainPermit2Settlement[];
}

/** A source that could not be read, and why (shown to people: no stack, no secrets). */
export interface SourceFailure {
  failed: string;
}

/** A source that was not read on purpose (the chain in mock mode). */
export interface SourceSkipped {
  skipped: string;
}

export interface Snapshots {
  takenAt: string;
  policy: PolicySnapshot | SourceFailure;
  ledger: LedgerSnapshot | SourceFailure;
  logger: LoggerSnapshot | SourceFailure;
  chain: ChainSnapshot | SourceFailure | SourceSkipped;
  /** where each source was read (URLs), for the report */
  where: { policy: string; payment: string; logger: string; chain: string };
  notes: string[];
}

export const isFailure = (value: object): value is SourceFailure => 'failed' in value;
export const isSkipped = (value: object): value is SourceSkipped => 'skipped' in value;
