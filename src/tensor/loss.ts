// Softmax cross-entropy over the rows of a [N, C] array with class-index targets, fused into one pass per
// row (the forward of the `crossEntropy` primitive, and its gradient for the usual, first-order backward).
// Sums are in doubles; each row is shifted by its maximum, so logits of any magnitude are safe.

import { NDArray } from './ndarray.js';

/**
 * Σᵢ (log Σⱼ e^(x[i,j]) − x[i, target[i]]), divided by N when `mean`: a 0-d array of x's dtype. Each row is
 * shifted by its maximum before exp. A NaN anywhere in a row makes the result NaN; targets are trusted
 * (the caller has checked them against C).
 */
export function crossEntropyKernel(x: NDArray, target: ArrayLike<number>, mean: boolean): NDArray {
  const [n, c] = x.shape;
  const d = x.data, rs = x.strides[0], cs = x.strides[1];
  let total = 0;
  for (let i = 0, row = x.offset; i < n; i++, row += rs) {
    let max = -Infinity;
    for (let j = 0, p = row; j < c; j++, p += cs) if (d[p] > max) max = d[p];
    if (!Number.isFinite(max)) max = 0; // an all -inf (or +inf) row: no shift, so log and exp give ±inf or NaN as unshifted math does
    let s = 0;
    for (let j = 0, p = row; j < c; j++, p += cs) s += Math.exp(d[p] - max);
    total += Math.log(s) + max - d[row + target[i] * cs];
  }
  const out = NDArray.zeros([], x.dtype);
  out.data[0] = mean ? total / n : total;
  return out;
}

/**
 * The gradient of crossEntropyKernel's result scaled by `g`: (softmax(x) − onehot(target)) · g (· 1/N when
 * `mean`), written into `out`, a dense [N, C] array.
 */
export function crossEntropyGradKernel(x: NDArray, target: ArrayLike<number>, mean: boolean, g: number, out: NDArray): void {
  const [n, c] = x.shape;
  const d = x.data, rs = x.strides[0], cs = x.strides[1];
  const o = out.data;
  const scale = mean ? g / n : g;
  for (let i = 0, row = x.offset; i < n; i++, row += rs) {
    let max = -Infinity;
    for (let j = 0, p = row; j < c; j++, p += cs) if (d[p] > max) max = d[p];
    if (!Number.isFinite(max)) max = 0;
    let s = 0;
    for (let j = 0, p = row; j < c; j++, p += cs) s += Math.exp(d[p] - max);
    const k = scale / s;
    for (let j = 0, p = row; j < c; j++, p += cs) o[i * c + j] = Math.exp(d[p] - max) * k;
    o[i * c + target[i]] -= scale;
  }
}
