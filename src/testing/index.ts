// tapegrad/testing: fast-check arbitraries for shapes and tensors, for property-based gradient checks.
// This entry loads fast-check (an optional peer dependency); the main entry never does.

/**
 * tapegrad/testing: fast-check arbitraries for shapes and tensors, and gradcheck, for property-based tests.
 * @packageDocumentation
 * @module tapegrad/testing
 */

import fc from 'fast-check';
import { tensor } from '../autograd/factory.js';
import type { Tensor } from '../autograd/tensor.js';
import type { DType } from '../tensor/dtype.js';

export { gradcheck, gradgradcheck, GradcheckError } from '../autograd/gradcheck.js';

/** Bounds for the random shapes the arbitraries generate. */
export interface ShapeConstraints {
  /** Fewest dimensions (default 0, a scalar). */
  minRank?: number;
  /** Most dimensions (default 3). */
  maxRank?: number;
  /** Smallest size of a dimension (default 1). */
  minDim?: number;
  /** Largest size of a dimension (default 4). */
  maxDim?: number;
}

/** Shapes with rank in [minRank, maxRank] (default 0..3) and dims in [minDim, maxDim] (default 1..4). */
export function shape(c: ShapeConstraints = {}): fc.Arbitrary<number[]> {
  const { minRank = 0, maxRank = 3, minDim = 1, maxDim = 4 } = c;
  return fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/** What the random tensors look like: dtype, value range and requiresGrad. */
export interface TensorConstraints {
  /** Element type (default 'float64', which gradcheck needs). */
  dtype?: DType;
  /** Values are drawn from [min, max] (default -2..2), never NaN or infinite. */
  min?: number;
  /** Upper end of the value range (default 2). */
  max?: number;
  /** Whether the tensors require grad (default true). */
  requiresGrad?: boolean;
}

/** A tensor of the given shape with finite values. */
export function tensorOf(s: readonly number[], c: TensorConstraints = {}): fc.Arbitrary<Tensor> {
  const { dtype = 'float64', min = -2, max = 2, requiresGrad = true } = c;
  const n = s.reduce((a, b) => a * b, 1);
  return fc
    .array(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n })
    .map((vals) => tensor(Float64Array.from(vals), { shape: s, dtype, requiresGrad }));
}

/**
 * A tensor of a random shape (float64 and requiresGrad by default, ready for gradcheck).
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import * as tgt from 'tapegrad/testing';
 * fc.assert(fc.property(tgt.tensorArb({ maxRank: 2 }), (x) => tg.gradcheck((t) => t.tanh().sum(), [x])));
 * ```
 */
export function tensorArb(c: TensorConstraints & ShapeConstraints = {}): fc.Arbitrary<Tensor> {
  return shape(c).chain((s) => tensorOf(s, c));
}

/** Two shapes that broadcast together under NumPy rules (some dims of one set to 1 or dropped). */
export function broadcastShapes(c: ShapeConstraints = {}): fc.Arbitrary<[number[], number[]]> {
  return shape(c).chain((full) =>
    fc
      .tuple(
        fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
        fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
        fc.integer({ min: 0, max: full.length }),
      )
      .map(([onesA, onesB, drop]): [number[], number[]] => [
        full.map((d, i) => (onesA[i] ? 1 : d)),
        full.map((d, i) => (onesB[i] && !onesA[i] ? 1 : d)).slice(drop),
      ]),
  );
}

/**
 * Two tensors whose shapes broadcast together, for checking binary ops' gradients.
 * @example
 * ```ts
 * fc.assert(fc.property(tgt.broadcastPair(), ([a, b]) => tg.gradcheck((x, y) => x.mul(y).sum(), [a, b])));
 * ```
 */
export function broadcastPair(c: TensorConstraints & ShapeConstraints = {}): fc.Arbitrary<[Tensor, Tensor]> {
  return broadcastShapes(c).chain(([a, b]) => fc.tuple(tensorOf(a, c), tensorOf(b, c)));
}

/** Shapes [...batch, m, k] and [...batch, k, n] that torch.matmul accepts (batch dims may broadcast). */
export function matmulShapes(c: { maxBatchRank?: number; maxDim?: number } = {}): fc.Arbitrary<[number[], number[]]> {
  const { maxBatchRank = 2, maxDim = 5 } = c;
  const dim = fc.integer({ min: 1, max: maxDim });
  return fc
    .tuple(broadcastShapes({ minRank: 0, maxRank: maxBatchRank, maxDim: 3 }), dim, dim, dim, fc.boolean(), fc.boolean())
    .map(([[ba, bb], m, k, n, vecA, vecB]): [number[], number[]] => [
      vecA ? [k] : [...ba, m, k],
      vecB ? [k] : [...bb, k, n],
    ]);
}

/** Two tensors that can be matrix-multiplied. */
export function matmulPair(c: TensorConstraints & { maxBatchRank?: number; maxDim?: number } = {}): fc.Arbitrary<[Tensor, Tensor]> {
  return matmulShapes(c).chain(([a, b]) => fc.tuple(tensorOf(a, c), tensorOf(b, c)));
}
