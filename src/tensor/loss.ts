// Softmax cross-entropy over the rows of a [N, C] array with class-index targets, fused into one pass per
// row: the forward of the `crossEntropy` primitive, and its gradient for the usual, first-order backward.
// Both round exactly where the composite they replace (log-softmax through a max-shifted logsumexp, a
// gather, a mean) rounded each intermediate array to the dtype, so results are bitwise the same as before.

import { NDArray } from './ndarray.js';
import { expForFloat32 } from './special.js';

/**
 * v rounded to the array's dtype: Math.fround on float32, v itself on float64. A direct call to this
 * function is inlined; calling Math.fround through a variable (`const R = f32 ? Math.fround : ...`) is not,
 * and made these kernels 3× slower (bench: 25 µs against 8 µs for the forward on [64, 10]).
 */
function rnd(f32: boolean, v: number): number {
  return f32 ? Math.fround(v) : v;
}

/** The row's shift, as logsumexp takes it: the maximum (NaN if any element is NaN), or 0 when that is not finite. */
function rowShift(d: ArrayLike<number>, row: number, c: number, cs: number): number {
  let m = d[row];
  for (let j = 1, p = row + cs; j < c; j++, p += cs) { const v = d[p]; if (v > m || v !== v) m = v; }
  return Number.isFinite(m) ? m : 0;
}

/**
 * Σᵢ (log Σⱼ e^(x[i,j]) − x[i, target[i]]), divided by N when `mean`: a 0-d array of x's dtype. Each row is
 * shifted by its maximum before exp. Targets are trusted (the caller has checked them against C).
 */
export function crossEntropyKernel(x: NDArray, target: ArrayLike<number>, mean: boolean): NDArray {
  const [n, c] = x.shape;
  const d = x.data, rs = x.strides[0], cs = x.strides[1];
  const f32 = x.dtype === 'float32';
  let total = 0;
  for (let i = 0, row = x.offset; i < n; i++, row += rs) {
    const shift = rowShift(d, row, c, cs);
    let s = 0;
    for (let j = 0, p = row; j < c; j++, p += cs) {
      const z = rnd(f32, d[p] - shift);
      s += rnd(f32, f32 ? expForFloat32(z) : Math.exp(z));
    }
    const lse = rnd(f32, rnd(f32, Math.log(rnd(f32, s))) + shift);
    const nll = -rnd(f32, d[row + target[i] * cs] - lse);
    total = i === 0 ? nll : total + nll;
  }
  const out = NDArray.zeros([], x.dtype);
  out.data[0] = mean ? rnd(f32, rnd(f32, total) / n) : total;
  return out;
}

/**
 * The gradient of crossEntropyKernel's result scaled by `g`, (softmax(x) − onehot(target)) · g (· 1/N when
 * `mean`), written into `out`, a dense [N, C] array of x's dtype.
 */
export function crossEntropyGradKernel(x: NDArray, target: ArrayLike<number>, mean: boolean, g: number, out: NDArray): void {
  const [n, c] = x.shape;
  const d = x.data, rs = x.strides[0], cs = x.strides[1];
  const o = out.data;
  const f32 = x.dtype === 'float32';
  const gm = mean ? rnd(f32, g / n) : g;
  for (let i = 0, row = x.offset; i < n; i++, row += rs) {
    const shift = rowShift(d, row, c, cs);
    let s = 0;
    for (let j = 0, p = row; j < c; j++, p += cs) {
      const e = rnd(f32, f32 ? expForFloat32(rnd(f32, d[p] - shift)) : Math.exp(d[p] - shift));
      o[i * c + j] = e;
      s += e;
    }
    const scale = rnd(f32, gm / rnd(f32, s));
    const t = target[i];
    for (let j = 0; j < c; j++) o[i * c + j] = rnd(f32, rnd(f32, scale * o[i * c + j]) + (j === t ? -gm : 0));
  }
}
