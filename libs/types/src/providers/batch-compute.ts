import { z } from 'zod';
import { Timestamp } from '../ids';
import { PaymentId } from '../payment';

/** How big a job may be: every kind finishes in seconds, and its answer fits a JSON response. */
export const BATCH_LIMITS = {
  /** sha256 rounds of a `hash-chain` job */
  hashChainMaxIterations: 5_000_000,
  hashChainSeedMaxLength: 1024,
  /** `primes` counts the primes below this at most */
  primesMaxBelow: 20_000_000,
  /** `primes` with `list: true` lists the primes below this at most (9,592 of them) */
  primesListMaxBelow: 100_000,
  /** `matrix-power` matrices are square, at most this many rows */
  matrixMaxSize: 16,
  matrixMaxPower: 1_000_000_000_000,
  /** the modulus keeps every entry a safe integer */
  matrixMaxModulus: 2_147_483_647,
  /** `sort` takes this many integers at most */
  sortMaxValues: 50_000,
} as const;

/** sha256 applied `iterations` times: first to the seed's UTF-8 bytes, then to the previous digest's 32 bytes. */
export const HashChainJob = z.strictObject({
  kind: z.literal('hash-chain'),
  seed: z
    .string()
    .max(BATCH_LIMITS.hashChainSeedMaxLength)
    .refine((value) => !value.includes('\u0000'), 'must not contain a NUL character'),
  iterations: z.number().int().min(1).max(BATCH_LIMITS.hashChainMaxIterations),
});
export type HashChainJob = z.infer<typeof HashChainJob>;

/** Counts the primes below `below`; lists them too when `list` (for `below` up to `primesListMaxBelow`). */
export const PrimesJob = z
  .strictObject({
    kind: z.literal('primes'),
    below: z.number().int().min(2).max(BATCH_LIMITS.primesMaxBelow),
    list: z.boolean().default(false),
  })
  .refine((job) => !job.list || job.below <= BATCH_LIMITS.primesListMaxBelow, {
    path: ['list'],
    message: `can list the primes below ${BATCH_LIMITS.primesListMaxBelow} at most; count larger ranges without listing`,
  });
export type PrimesJob = z.infer<typeof PrimesJob>;

/** `matrix` (square, integers) to the power `power`, every entry reduced modulo `modulus` (into 0..modulus-1). */
export const MatrixPowerJob = z
  .strictObject({
    kind: z.literal('matrix-power'),
    matrix: z.array(z.array(z.number().int()).min(1).max(BATCH_LIMITS.matrixMaxSize)).min(1).max(BATCH_LIMITS.matrixMaxSize),
    power: z.number().int().min(0).max(BATCH_LIMITS.matrixMaxPower),
    modulus: z.number().int().min(2).max(BATCH_LIMITS.matrixMaxModulus),
  })
  .refine((job) => job.matrix.every((row) => row.length === job.matrix.length), {
    path: ['matrix'],
    message: 'must be square (as many entries in every row as there are rows)',
  });
export type MatrixPowerJob = z.infer<typeof MatrixPowerJob>;

/** Sorts integers, ascending by default. */
export const SortJob = z.strictObject({
  kind: z.literal('sort'),
  values: z.array(z.number().int()).max(BATCH_LIMITS.sortMaxValues),
  order: z.enum(['asc', 'desc']).default('asc'),
});
export type SortJob = z.infer<typeof SortJob>;

export const BatchJobKind = z.enum(['hash-chain', 'primes', 'matrix-power', 'sort']);
export type BatchJobKind = z.infer<typeof BatchJobKind>;

/** BATCH_COMPUTE `input`: one bounded, deterministic job, whose result anyone can check. */
export const BatchComputeInput = z.discriminatedUnion('kind', [HashChainJob, PrimesJob, MatrixPowerJob, SortJob]);
export type BatchComputeInput = z.infer<typeof BatchComputeInput>;

export const HashChainResult = z.object({
  kind: z.literal('hash-chain'),
  iterations: z.number().int(),
  /** the last digest, lowercase hex */
  digest: z.string().regex(/^[0-9a-f]{64}$/),
});
export type HashChainResult = z.infer<typeof HashChainResult>;

export const PrimesResult = z.object({
  kind: z.literal('primes'),
  below: z.number().int(),
  count: z.number().int(),
  /** the largest prime below `below`; null when there is none */
  largest: z.number().int().nullable(),
  /** present when the job asked for the list */
  primes: z.array(z.number().int()).optional(),
});
export type PrimesResult = z.infer<typeof PrimesResult>;

export const MatrixPowerResult = z.object({
  kind: z.literal('matrix-power'),
  power: z.number().int(),
  modulus: z.number().int(),
  matrix: z.array(z.array(z.number().int())),
});
export type MatrixPowerResult = z.infer<typeof MatrixPowerResult>;

export const SortResult = z.object({
  kind: z.literal('sort'),
  order: z.enum(['asc', 'desc']),
  count: z.number().int(),
  values: z.array(z.number().int()),
});
export type SortResult = z.infer<typeof SortResult>;

export const BatchJobResult = z.discriminatedUnion('kind', [HashChainResult, PrimesResult, MatrixPowerResult, SortResult]);
export type BatchJobResult = z.infer<typeof BatchJobResult>;

/** QUEUED: waiting for a worker (again, after a restart); RUNNING: a worker holds it; SUCCEEDED and FAILED are final. */
export const BatchJobStatus = z.enum(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED']);
export type BatchJobStatus = z.infer<typeof BatchJobStatus>;

/** BATCH_COMPUTE `result` of a paid call: the job is accepted, not done; poll `statusUrl`. */
export const BatchComputeAccepted = z.object({
  jobId: z.string(),
  kind: BatchJobKind,
  status: BatchJobStatus,
  createdAt: Timestamp,
  /** `/jobs/<jobId>`, free */
  statusUrl: z.string(),
});
export type BatchComputeAccepted = z.infer<typeof BatchComputeAccepted>;

export const BatchJobIdParams = z.strictObject({
  id: z.string().regex(/^job_[0-9a-f]{32}$/, 'must be a job id (job_ and 32 hex digits)'),
});
export type BatchJobIdParams = z.infer<typeof BatchJobIdParams>;

/** `GET /jobs/:id` of BATCH_COMPUTE. */
export const BatchJob = z.object({
  jobId: z.string(),
  kind: BatchJobKind,
  status: BatchJobStatus,
  /** the payment that bought the job */
  paymentId: PaymentId,
  /** units of work done of the job's total (rounds, numbers sieved, exponent bits...) */
  progress: z.object({ done: z.number().int(), total: z.number().int() }),
  /** times a worker took the job up (more than one after a restart or a lost worker) */
  attempts: z.number().int(),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  /** set when SUCCEEDED */
  result: BatchJobResult.nullable(),
  /** set when FAILED */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type BatchJob = z.infer<typeof BatchJob>;
