import { z } from 'zod';
import type { MatrixPowerJob, MatrixPowerResult } from '@nexus/types';
import type { JobStep } from './job-work';

type Matrix = bigint[][];

const Checkpoint = z.object({
  bit: z.number().int().min(0),
  result: z.array(z.array(z.string().regex(/^\d+$/))),
  square: z.array(z.array(z.string().regex(/^\d+$/))),
});

const reduce = (value: bigint, modulus: bigint) => ((value % modulus) + modulus) % modulus;

function multiply(a: Matrix, b: Matrix, modulus: bigint): Matrix {
  return a.map((row) =>
    b.map((_, column) => {
      let sum = 0n;
      for (let k = 0; k < row.length; k += 1) sum += (row[k] ?? 0n) * (b[k]?.[column] ?? 0n);
      return sum % modulus;
    }),
  );
}

const identity = (size: number): Matrix =>
  Array.from({ length: size }, (_, row) => Array.from({ length: size }, (_, column) => (row === column ? 1n : 0n)));

const toText = (matrix: Matrix) => matrix.map((row) => row.map(String));
const fromText = (matrix: string[][]) => matrix.map((row) => row.map(BigInt));
const fits = (matrix: unknown[][], size: number) => matrix.length === size && matrix.every((row) => row.length === size);

/** Exponent bits to square through: the job's total units (at least one). */
export const matrixPowerSteps = (power: number) => Math.max(1, power.toString(2).length);

/**
 * `matrix` to the power `power` modulo `modulus`, by binary exponentiation
 * (one exponent bit per step, least significant first), in exact integers.
 */
export function* matrixPower(job: MatrixPowerJob, resume: unknown): Generator<JobStep, MatrixPowerResult, void> {
  const modulus = BigInt(job.modulus);
  const size = job.matrix.length;
  const bits = job.power.toString(2).split('').reverse();
  const saved = Checkpoint.safeParse(resume);
  const usable = saved.success && saved.data.bit <= bits.length && fits(saved.data.result, size) && fits(saved.data.square, size);
  let bit = usable ? saved.data.bit : 0;
  let result = usable ? fromText(saved.data.result) : identity(size).map((row) => row.map((value) => value % modulus));
  let square = usable ? fromText(saved.data.square) : job.matrix.map((row) => row.map((value) => reduce(BigInt(value), modulus)));
  while (job.power > 0 && bit < bits.length) {
    if (bits[bit] === '1') result = multiply(result, square, modulus);
    bit += 1;
    if (bit < bits.length) {
      square = multiply(square, square, modulus);
      yield { done: bit, checkpoint: { bit, result: toText(result), square: toText(square) } };
    }
  }
  return { kind: 'matrix-power', power: job.power, modulus: job.modulus, matrix: result.map((row) => row.map(Number)) };
}
