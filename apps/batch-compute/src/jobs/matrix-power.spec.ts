import { drain } from '../testing/drain-work';
import { matrixPower, matrixPowerSteps } from './matrix-power';

/** Repeated multiplication, in plain numbers small enough to stay exact. */
function naivePower(matrix: number[][], power: number, modulus: number): number[][] {
  const size = matrix.length;
  const reduced = matrix.map((row) => row.map((value) => ((value % modulus) + modulus) % modulus));
  let result = reduced.map((row, i) => row.map((_, j) => (i === j ? 1 % modulus : 0)));
  for (let p = 0; p < power; p += 1)
    result = result.map((row) =>
      Array.from({ length: size }, (_, j) => row.reduce((sum, value, k) => (sum + value * (reduced[k]?.[j] ?? 0)) % modulus, 0)),
    );
  return result;
}

const job = (matrix: number[][], power: number, modulus: number) => ({ kind: 'matrix-power', matrix, power, modulus }) as const;

describe('matrix-power jobs', () => {
  it('raises the Fibonacci matrix to the 10th power (F11, F10, F9)', () => {
    expect(
      drain(
        matrixPower(
          job(
            [
              [1, 1],
              [1, 0],
            ],
            10,
            1_000,
          ),
          null,
        ),
      ).result,
    ).toEqual({
      kind: 'matrix-power',
      power: 10,
      modulus: 1_000,
      matrix: [
        [89, 55],
        [55, 34],
      ],
    });
  });

  it('gives the identity for power 0 and reduces negative entries into 0..modulus-1', () => {
    expect(
      drain(
        matrixPower(
          job(
            [
              [5, 7],
              [2, 3],
            ],
            0,
            11,
          ),
          null,
        ),
      ).result.matrix,
    ).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(
      drain(
        matrixPower(
          job(
            [
              [-1, -12],
              [13, 0],
            ],
            1,
            11,
          ),
          null,
        ),
      ).result.matrix,
    ).toEqual([
      [10, 10],
      [2, 0],
    ]);
  });

  it('agrees with repeated multiplication, one exponent bit per step', () => {
    const matrix = [
      [3, -1, 4],
      [1, 5, -9],
      [2, 6, 5],
    ];
    const { steps, result } = drain(matrixPower(job(matrix, 1_000, 97), null));
    expect(result.matrix).toEqual(naivePower(matrix, 1_000, 97));
    expect(steps).toHaveLength(matrixPowerSteps(1_000) - 1);
  });

  it('stays exact for the largest modulus and power (Fibonacci mod 2^31-1 by doubling)', () => {
    const modulus = 2_147_483_647;
    const power = 1_000_000_000_000;
    const { result } = drain(
      matrixPower(
        job(
          [
            [1, 1],
            [1, 0],
          ],
          power,
          modulus,
        ),
        null,
      ),
    );
    // F(2n) = F(n) (2 F(n+1) - F(n)), F(2n+1) = F(n+1)^2 + F(n)^2, in bigint
    const fib = (n: bigint): [bigint, bigint] => {
      if (n === 0n) return [0n, 1n];
      const [a, b] = fib(n / 2n);
      const m = BigInt(modulus);
      const c = (a * ((2n * b - a + m) % m)) % m;
      const d = (a * a + b * b) % m;
      return n % 2n === 0n ? [c, d] : [d, (c + d) % m];
    };
    const [fn, fn1] = fib(BigInt(power));
    expect(result.matrix[0]).toEqual([Number(fn1), Number(fn)]);
  });

  it('resumes from a checkpoint to the same matrix as an uninterrupted run', () => {
    const square = job(
      [
        [2, 3],
        [5, 7],
      ],
      123_456,
      1_009,
    );
    const first = matrixPower(square, null);
    first.next();
    const step = first.next().value;
    if (!('checkpoint' in step)) throw new Error('a step was expected');
    expect(drain(matrixPower(square, JSON.parse(JSON.stringify(step.checkpoint)))).result).toEqual(drain(matrixPower(square, null)).result);
  });
});
