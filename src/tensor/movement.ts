// Movement kernels that copy: flip (reverse along dims) and the triangular masks behind tril/triu.
// Plain loops over dense arrays; the autograd table pairs flip with itself (it is its own adjoint).

import { allocate, type DType } from './dtype.js';
import { NDArray } from './ndarray.js';

/** A dense copy of x with the order of elements reversed along each of `dims` (distinct, normalised). */
export function flipKernel(x: NDArray, dims: readonly number[]): NDArray {
  const strides = [...x.strides];
  let offset = x.offset;
  for (const d of dims) {
    if (x.shape[d] === 0) return new NDArray(allocate(x.dtype, 0), [...x.shape]);
    offset += (x.shape[d] - 1) * strides[d];
    strides[d] = -strides[d];
  }
  // a view with negative strides lives only here: the strided copy walks it like any other view
  const out = allocate(x.dtype, x.size);
  const view = new NDArray(x.data, x.shape, strides, offset);
  copyStrided(view, out);
  return new NDArray(out, [...x.shape]);
}

/** Row-major copy of any strided view (negative strides included) into `out`. */
function copyStrided(src: NDArray, out: ReturnType<typeof allocate>): void {
  const { data, shape, strides } = src;
  const n = src.size;
  if (n === 0) return;
  const nd = shape.length;
  if (nd === 0) { out[0] = data[src.offset]; return; }
  const inner = shape[nd - 1];
  const s = strides[nd - 1];
  const idx = new Array<number>(nd).fill(0);
  let p = src.offset;
  for (let o = 0; o < n; o += inner) {
    for (let j = 0, q = p; j < inner; j++, q += s) out[o + j] = data[q];
    for (let d = nd - 2; d >= 0; d--) {
      p += strides[d];
      if (++idx[d] < shape[d]) break;
      p -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/** A rows×cols 0/1 mask: 1 where col − row ≤ k (lower, tril) or col − row ≥ k (upper, triu). */
export function triangleMask(rows: number, cols: number, k: number, lower: boolean, dtype: DType): NDArray {
  const out = allocate(dtype, rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[i * cols + j] = (lower ? j - i <= k : j - i >= k) ? 1 : 0;
  }
  return new NDArray(out, [rows, cols]);
}
