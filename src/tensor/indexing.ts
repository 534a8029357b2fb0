// Index kernels: concat, gather / scatterAdd (PyTorch's gather semantics), indexSelect / indexAdd.
// Each pair is the other's adjoint, which is what the autograd table uses for their gradients.

import { allocate, type DType, type TypedArray } from './dtype.js';
import { assignInto } from './elementwise.js';
import { NDArray } from './ndarray.js';
import { acquire } from './storage.js';
import { fmtShape, sizeOf } from './shape.js';

/** Concatenates arrays (same shape except along `axis`) into a fresh dense array. */
export function concatKernel(arrays: readonly NDArray[], axis: number, dtype: DType): NDArray {
  const first = arrays[0];
  const shape = [...first.shape];
  shape[axis] = arrays.reduce((n, a) => n + a.shape[axis], 0);
  const out = new NDArray(allocate(dtype, sizeOf(shape)), shape);
  let at = 0;
  const starts = shape.map(() => 0);
  const steps = shape.map(() => 1);
  for (const a of arrays) {
    starts[axis] = at;
    const ends = [...shape];
    ends[axis] = at + a.shape[axis];
    assignInto(out.slice(starts, ends, steps), a);
    at += a.shape[axis];
  }
  return out;
}

/** Reads an integer index, checking it against the dimension size. */
function checkedIndex(v: number, size: number, op: string, axis: number): number {
  if (!Number.isInteger(v) || v < 0 || v >= size) {
    throw new RangeError(`${op}: index ${v} is out of range for dimension ${axis} of size ${size}`);
  }
  return v;
}

/**
 * Walks every element of `index` (row-major) and calls back with the flat position in index order
 * and the offset into a contiguous array of `shape` that the element addresses along `axis`.
 */
function walkGather(
  op: string, shape: readonly number[], axis: number, index: NDArray,
  visit: (pos: number, offset: number) => void,
): void {
  const nd = shape.length;
  if (index.ndim !== nd) {
    throw new RangeError(`${op}: index must have ${nd} dimensions like the input ${fmtShape(shape)}, got ${fmtShape(index.shape)}`);
  }
  for (let d = 0; d < nd; d++) {
    if (d !== axis && index.shape[d] > shape[d]) {
      throw new RangeError(`${op}: index shape ${fmtShape(index.shape)} exceeds input shape ${fmtShape(shape)} in dimension ${d}`);
    }
  }
  const strides = new Array<number>(nd);
  for (let d = nd - 1, s = 1; d >= 0; d--) { strides[d] = s; s *= shape[d]; }
  const iv = index.values();
  const n = index.size;
  const idx = new Array<number>(nd).fill(0);
  let base = 0; // offset of the current position ignoring the gathered axis
  for (let pos = 0; pos < n; pos++) {
    const k = checkedIndex(iv[pos], shape[axis], op, axis);
    visit(pos, base + k * strides[axis]);
    for (let d = nd - 1; d >= 0; d--) {
      if (d !== axis) base += strides[d];
      if (++idx[d] < index.shape[d]) break;
      if (d !== axis) base -= strides[d] * index.shape[d];
      idx[d] = 0;
    }
  }
}

/**
 * The number of rows when gather / scatterAdd runs along the last axis with an index whose other
 * dimensions equal the array's (each row of the index then reads one row of the array); −1 otherwise.
 */
function lastAxisRows(shape: readonly number[], axis: number, index: NDArray): number {
  const nd = shape.length;
  if (axis !== nd - 1 || index.ndim !== nd) return -1;
  let rows = 1;
  for (let d = 0; d < nd - 1; d++) {
    if (index.shape[d] !== shape[d]) return -1;
    rows *= shape[d];
  }
  return rows;
}

/** checkedIndex, with the common case (an integer in range) tested inline. */
function lastAxisIndex(v: number, size: number, op: string, axis: number): number {
  return v >= 0 && v < size && (v | 0) === v ? v : checkedIndex(v, size, op, axis);
}

/*
 * The last-axis loops of gather and scatterAdd live in their own functions, which end with the
 * loop. Inline in the kernels, V8 compiled the loop on stack (OSR) during a kernel's first call,
 * before the `new NDArray(...)` after it had ever run; that code then stopped ("Insufficient type
 * feedback for construct") at the end of every later call, 48-59 times in a 100-step LeNet run
 * (node --trace-deopt). The kernels also make a closure over `out` for the general path, which
 * would put `out` in a context slot read by every iteration.
 */

/** out[p] = xv[row(p)·w + iv[p]] for rows rows of m indices into rows of w elements. */
function gatherRows(out: TypedArray, xv: TypedArray, iv: TypedArray, rows: number, w: number, m: number, axis: number): void {
  rows |= 0; w |= 0; m |= 0;
  for (let r = 0, p = 0; r < rows; r++) {
    for (let t = 0, b = r * w; t < m; t++, p++) out[p] = xv[b + lastAxisIndex(iv[p], w, 'gather', axis)];
  }
}

/** out[row(p)·w + iv[p]] += sv[p] for rows rows of m indices into rows of w elements. */
function scatterAddRows(out: TypedArray, sv: TypedArray, iv: TypedArray, rows: number, w: number, m: number, axis: number): void {
  rows |= 0; w |= 0; m |= 0;
  for (let r = 0, p = 0; r < rows; r++) {
    for (let t = 0, b = r * w; t < m; t++, p++) out[b + lastAxisIndex(iv[p], w, 'scatterAdd', axis)] += sv[p];
  }
}

/** out[i][j] = x[index[i][j]][j] for axis 0 (and likewise for other axes), like torch.gather. */
export function gatherKernel(x: NDArray, axis: number, index: NDArray): NDArray {
  const xv = x.values();
  const out = allocate(x.dtype, index.size, false); // every element is written below (an index error throws first)
  const rows = lastAxisRows(x.shape, axis, index);
  if (rows >= 0) {
    // along the last axis, row by row (max pooling's gather): no callback per element
    gatherRows(out, xv, index.values(), rows, x.shape[axis], index.shape[axis], axis);
    return new NDArray(out, index.shape);
  }
  walkGather('gather', x.shape, axis, index, (pos, off) => { out[pos] = xv[off]; });
  return new NDArray(out, index.shape);
}

/** The adjoint of gather: zeros of `shape`, then out[index[i][j]][j] += src[i][j]. */
export function scatterAddKernel(shape: readonly number[], axis: number, index: NDArray, src: NDArray): NDArray {
  const sv = src.values();
  const out = allocate(src.dtype, sizeOf(shape));
  const rows = lastAxisRows(shape, axis, index);
  if (rows >= 0) {
    scatterAddRows(out, sv, index.values(), rows, shape[axis], index.shape[axis], axis);
    return new NDArray(out, shape);
  }
  walkGather('scatterAdd', shape, axis, index, (pos, off) => { out[off] += sv[pos]; });
  return new NDArray(out, shape);
}

/** Validates a list of indices for indexSelect along a dimension of the given size: a copy, from the caching allocator. */
export function checkIndices(indices: ArrayLike<number>, size: number, op: string, axis: number): Int32Array {
  const out = acquire('int32', indices.length, false) as Int32Array; // every element is set below
  for (let i = 0; i < indices.length; i++) out[i] = checkedIndex(indices[i], size, op, axis);
  return out;
}

/** Selects whole slices along `axis`: out has shape[axis] = indices.length. */
export function indexSelectKernel(x: NDArray, axis: number, indices: Int32Array): NDArray {
  const shape = [...x.shape];
  const a = shape[axis];
  shape[axis] = indices.length;
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const xv = x.values();
  const out = allocate(x.dtype, sizeOf(shape));
  copyBlocks(out, xv, outer, inner, indices, a, 'select');
  return new NDArray(out, shape);
}

/** The adjoint of indexSelect: zeros of `shape`, then slice indices[t] += src slice t. */
export function indexAddKernel(shape: readonly number[], axis: number, indices: Int32Array, src: NDArray): NDArray {
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const out = allocate(src.dtype, sizeOf(shape));
  copyBlocks(out, src.values(), outer, inner, indices, shape[axis], 'add');
  return new NDArray(out, shape);
}

function copyBlocks(
  out: TypedArray, v: TypedArray, outer: number, inner: number, indices: Int32Array, a: number, mode: 'select' | 'add',
): void {
  const m = indices.length;
  for (let o = 0; o < outer; o++) {
    for (let t = 0; t < m; t++) {
      const big = (o * a + indices[t]) * inner; // position in the full-size array
      const small = (o * m + t) * inner; // position in the selected array
      if (mode === 'select') for (let i = 0; i < inner; i++) out[small + i] = v[big + i];
      else for (let i = 0; i < inner; i++) out[big + i] += v[small + i];
    }
  }
}
