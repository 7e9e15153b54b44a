import type { ServiceCpu } from './cpu-usage';
import type { LoadResult } from './load';

/**
 * Which figure a load run measured; `target` says what was loaded.
 * 'gateway-chain' is the paid call in chain mode with the payment service
 * batching settlements (PAYMENT_SETTLEMENT=batch, its default),
 * 'gateway-chain-single' the same with one transaction per payment.
 */
export type LoadKind =
  'limit' | 'decide-sqlite' | 'decide-postgres' | 'provider-direct' | 'gateway-mock' | 'gateway-chain' | 'gateway-chain-single';

export interface LoadRow extends LoadResult {
  kind: LoadKind;
  /** what was loaded, for people */
  target: string;
  /** CPU time of each watched process during the run: the whole `npm start` tree for a stack, and the load generator (Linux only) */
  cpu: ServiceCpu[];
  /** cores the whole machine kept busy during the run, this bench and everything else (null off Linux) */
  machineCores: number | null;
}

/** Settlements on the local Hardhat node, counted from confirmed receipts. */
export interface SettlementRow {
  scenario: string;
  /** 'per-call' rows settle one payment per transaction; 'batched' ones payBatch */
  style: 'per-call' | 'batched';
  /** true when every transaction's gas was estimated (TxSender's default), false for a fixed gas limit */
  gasEstimated: boolean;
  settlements: number;
  transactions: number;
  seconds: number;
  settlementsPerSecond: number;
  gasPerSettlement: number;
  /** CPU of the node and of the sender during the run; msPerRequest is per settlement */
  cpu: ServiceCpu[];
  machineCores: number | null;
}

export interface MemoryRow {
  /** the stack the service ran in */
  stack: 'mock' | 'chain';
  project: string;
  pid: number;
  restMb: number | null;
  afterLoadMb: number | null;
}

export interface TargetResult {
  id: string;
  description: string;
  goal: string;
  measured: string;
  /** null when the figure was not measured in this run */
  met: boolean | null;
  /** how far off a missed target is, e.g. "41 points short (needs 2.6× the throughput)" */
  gap: string;
}

export interface ProfileSummary {
  /** what was profiled, e.g. "policy (SQLite), 50 connections" */
  subject: string;
  file: string;
  totalMs: number;
  topFunctions: { name: string; where: string; selfMs: number; share: number }[];
  topModules: { module: string; selfMs: number; share: number }[];
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: { platform: string; arch: string; cpus: number; node: string; loadAverageAtStart: number[] };
  seconds: number;
  batchSize: number;
  load: LoadRow[];
  settlement: SettlementRow[];
  memory: MemoryRow[];
  targets: TargetResult[];
  /** what could not run, and why */
  notes: string[];
  profiles: ProfileSummary[];
}
